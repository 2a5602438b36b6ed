"""`blocked-send`: a goroutine sends on a channel that its starter may stop receiving from.

The matched node is the `make(chan T)` / `make(chan T, N)` of a local channel. The check finds
the goroutines (`go func() {...}()` literals of the same function) that send on it, how many
sends they can make in all, and the function's receives, and passes when the sends can outnumber
the receives that are certain to happen plus the buffer:

- the function receives in a `select` whose other case (`<-ctx.Done()`, `<-time.After(d)`,
  `<-stop`, `default`) leaves without receiving;
- it can return (or leave the channel's block) after starting the goroutine and before its
  first receive (`if err != nil { return err }` in between);
- several goroutines (started in a loop, or more sends than the buffer holds) and a receive
  that runs once, or a receive loop that can return or break early (on the first error);
- nothing in the function receives from it at all.

A sender then blocks on the send forever, with everything it references. Nothing is guessed:
the channel must be made here and used only for receives, `close`, `len`/`cap` and by the
goroutines' sends (anything else, returned, stored, passed on, received by a goroutine, used
in another closure, and the receiver is elsewhere: no finding); a send in a `select` with
another case cannot block forever; a send in a loop is a stream (its receiver drains it with
`range`); a buffer that is not a constant (`len(items)`) is taken to be large enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import tree_sitter

from linter.analysis.flow import use_of
from linter.analysis.framework import Pass
from linter.analysis.functions import FUNCTIONS, FileFunctions, FuncInfo, is_declaration
from linter.checks.base import STRING_LIST, Check, Verdict
from linter.parsing import FUNCTION_KINDS, SourceFile
from linter.patterns import Env

Node = tree_sitter.Node

MANY = 1 << 30  # goroutines started in a loop: more than any constant buffer
_BREAK_TARGETS = ("for_statement", "select_statement", "expression_switch_statement", "type_switch_statement")
_CASES = ("communication_case", "default_case")
_BLOCKS = ("block", "statement_list")


@dataclass
class _Goroutine:
    go: Node  # the go statement
    literal: Node  # its func literal
    sends: list[Node] = field(default_factory=list)  # send statements on the channel (or its parameter)
    deferred: list[Node] = field(default_factory=list)  # those in a func the goroutine defers: once each, at its end
    closes: bool = False
    fed: set[str] = field(default_factory=set)  # every channel this goroutine sends on or closes (by text)


@dataclass
class _Receive:
    node: Node  # the `<-ch` expression, or the range clause's for statement
    kind: str  # plain | select | range
    case: Node | None = None  # the select case, for kind == select


class BlockedSendCheck(Check):
    name = "blocked-send"
    provides = ("CHAN", "SENDER", "WHY", "FIX")
    scope = "declaration"  # everything it reads is inside the function that makes the channel
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "exits": STRING_LIST,
            "once-functions": STRING_LIST,
            "test-imports": STRING_LIST,
            "server-calls": STRING_LIST,
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        # calls that end the process or unwind the goroutine: not a way to skip a receive that leaves a sender behind
        self.exits = self.regexes(
            "exits", [r"^(panic|os\.Exit|runtime\.Goexit|log\.Fatal\w*|log\.Panic\w*)\(", r"^\w+\.(Fatal|Panic)\w*\("]
        )
        # functions that run once per process: a goroutine left behind there is not a leak that grows
        self.once = self.regexes("once-functions", [r"^(main|init)$"])
        # a goroutine that runs one of these serves for the life of the process; its send comes at shutdown
        self.servers = self.regexes("server-calls", [r"\.(ListenAndServe|ListenAndServeTLS|Serve|ServeTLS)\("])
        # a file importing one of these is test support compiled into the package (nomad's testing.go)
        imports = self.params.get("test-imports", ["testing"])
        self.test_import = (
            re.compile(rb'^\s*(?:import\s+)?(?:[\w.]+\s+)?"(?:' + b"|".join(re.escape(i.encode()) for i in imports) + rb')"', re.MULTILINE)
            if imports
            else None
        )

    def declaration_filter(self) -> re.Pattern[bytes] | None:
        return re.compile(rb"\bgo\s+func\b")

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        f = pass_.file
        capacity = _capacity(f, node)
        if capacity is None:
            return None
        use = use_of(node)
        if use.kind != "var" or use.node is None:
            return None
        ident = use.node
        decl = f.parent(ident)
        if decl is not None and decl.type == "expression_list":
            decl = f.parent(decl)
        if decl is None or decl.type not in ("short_var_declaration", "var_spec") or not is_declaration(ident):
            return None
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        if fn is None or fn.body is None:
            return None
        top = fns.outermost(node)
        if top is not None and top.name is not None and top.receiver_type is None and any(rx.search(top.name) for rx in self.once):
            return None
        if self.test_import is not None and self.test_import.search(f.data, 0, _imports_end(f.data)) is not None:
            return None
        scope = _scope_block(f, decl)
        if scope is None:
            return None
        name = f.text(ident)
        uses = _Uses(f, fns, fn, name, ident, scope)
        if not uses.classify():
            return None
        return self._verdict(f, fn, name, capacity, uses, node)

    # ---------------------------------------------------------------------------------------------
    def _verdict(self, f: SourceFile, fn: FuncInfo, name: str, capacity: int, uses: _Uses, make: Node) -> Verdict | None:
        blocking = [g for g in uses.goroutines if (g.sends or g.deferred) and not self._serves(f, g)]
        if not blocking:
            return None
        total = 0
        for g in blocking:
            if _in_loop(f, g.go, uses.scope):
                total = MANY
                break
            total += max(0, *_max_sends(f, g.literal.child_by_field_name("body"), {s.id for s in g.sends}, self.exits)) + len(g.deferred)
        if total == 0 or capacity >= total:
            return None
        first = min(blocking, key=lambda g: g.go.start_byte)
        why = self._why(f, fn, name, capacity, total, uses, blocking)
        if why is None:
            return None
        send = (first.sends or first.deferred)[0]
        many = total == MANY or len(blocking) > 1
        sender = (
            f"the goroutines started at line {first.go.start_point[0] + 1} send on it"
            if many and total == MANY
            else f"the goroutine started at line {first.go.start_point[0] + 1} sends on it (line {send.start_point[0] + 1})"
        )
        buffered = "unbuffered" if capacity == 0 else f"buffered for {capacity}"
        chan = f"{name} ({buffered})"
        fix = "a buffer for every send (make(chan T, n))" if many else "a buffer of 1"
        fix += ", or a select on ctx.Done() around the send"
        return Verdict(vars={"CHAN": chan, "SENDER": sender, "WHY": why, "FIX": fix}, node=make)

    def _serves(self, f: SourceFile, g: _Goroutine) -> bool:
        text = f.text(g.literal)
        return any(rx.search(text) for rx in self.servers)

    def _why(
        self, f: SourceFile, fn: FuncInfo, name: str, capacity: int, total: int, uses: _Uses, blocking: list[_Goroutine]
    ) -> str | None:
        recvs = uses.receives
        if not recvs:
            return f"nothing in {fn.display} receives from it"
        fed = set().union(*(g.fed for g in uses.goroutines))
        # a select that can take another way out
        for r in recvs:
            if r.kind != "select" or r.case is None:
                continue
            other = self._abandoning_case(f, r, fed, uses, total == MANY or len(blocking) > 1)
            if other is not None:
                sel = f.parent(r.case)
                assert sel is not None
                what = _case_label(f, other)
                return f"the select at line {sel.start_point[0] + 1} can take {what} (line {other.start_point[0] + 1}) and go on without receiving"
        # a way from a goroutine's start out of the channel's block that receives nothing
        for g in blocking:
            answers = frozenset(g.fed - {uses.name}) if len(blocking) == 1 and not _in_loop(f, g.go, uses.scope) else frozenset()
            exit_ = self._unreceived_path(f, g.go, uses, answers)
            if exit_ is None:
                continue
            if exit_.id == uses.scope.id:
                where = (
                    fn.display
                    if uses.scope.id == (fn.body.id if fn.body is not None else -1)
                    else f"the block at line {uses.scope.start_point[0] + 1}"
                )
                return f"{where} can end after starting it (line {g.go.start_point[0] + 1}) without receiving"
            return f"the {_exit_word(exit_)} at line {exit_.start_point[0] + 1} leaves without receiving from it"
        if total <= 1:
            return None
        # several sends: one receive, or a receive loop that stops early
        looped = [(r, _receive_loop(f, r, uses.scope)) for r in recvs]
        straight = [r for r, lp in looped if lp is None]
        loops = {lp.id: lp for _, lp in looped if lp is not None}
        if not loops:
            if total == MANY:
                n = len(straight)
                return f"it is received from {'once' if n == 1 else f'{n} times'} (line {straight[0].node.start_point[0] + 1}) for a goroutine per loop iteration"
            if len(straight) + capacity < total:
                return f"it is received from {len(straight)} time(s) for {total} sends"
            return None
        for lp in sorted(loops.values(), key=lambda n: n.start_byte):
            exit_ = self._loop_exit(f, lp)
            if exit_ is not None:
                return f"the receive loop at line {lp.start_point[0] + 1} can stop at the {_exit_word(exit_)} at line {exit_.start_point[0] + 1} before every sender has sent"
        return None

    def _abandoning_case(self, f: SourceFile, r: _Receive, fed: set[str], uses: _Uses, many: bool) -> Node | None:
        """Another case of `r`'s select that can fire and leave the receive behind: one with a
        path that leaves (the receive loop, or the channel's block) before receiving, or, for a
        select in no receive loop, one that falls through with no receive after the select."""
        assert r.case is not None
        sel = f.parent(r.case)
        if sel is None:
            return None
        loop = _receive_loop(f, r, uses.scope)
        container = loop if loop is not None else uses.scope
        later = any(o.node.start_byte >= sel.end_byte and o.kind != "select" for o in uses.receives)
        walker = _MustReceive(f, uses.receives, container, self.exits)
        for case in sel.named_children:
            if case.type not in _CASES or case.id == r.case.id:
                continue
            if case.type == "communication_case":
                ch = _received_channel(f, case)
                if ch is not None and ch == uses.name:
                    continue
                if ch is not None and ch in fed and not many:
                    continue  # the same goroutine answers on that channel instead: one or the other
            body = next((c for c in case.named_children if c.type in _BLOCKS), None)
            received, leaks = walker.run(body) if body is not None else (False, False)
            if leaks:
                return case
            if not received and loop is None and not later:
                return case
        return None

    def _unreceived_path(self, f: SourceFile, go: Node, uses: _Uses, answers: frozenset[str]) -> Node | None:
        """The first exit (or the channel's block itself, for falling off its end) on a path
        from `go` that leaves the channel's block without receiving; None if every path receives."""
        walker = _MustReceive(f, uses.receives, uses.scope, self.exits, answers)
        node = go
        while node.id != uses.scope.id:
            parent = f.parent(node)
            if parent is None or parent.type in FUNCTION_KINDS:
                return None
            if parent.type in _BLOCKS:
                after = False
                for c in parent.named_children:
                    if not after:
                        after = c.id == node.id
                        continue
                    got, leaks = walker.run(c)
                    if leaks:
                        return walker.leak
                    if got:
                        return None
                    if c.type in ("return_statement", "goto_statement", "break_statement", "continue_statement"):
                        return None  # goes elsewhere in the block: not followed
            node = parent
        return uses.scope

    def _loop_exit(self, f: SourceFile, loop: Node) -> Node | None:
        body = loop.child_by_field_name("body")
        return _first_exit_in(f, body, loop) if body is not None else None


# -------------------------------------------------------------------------------------------------
class _Uses:
    """Every use of the channel variable, sorted into the goroutines' sends and the function's
    receives; `classify()` is False when any use hands the channel elsewhere."""

    def __init__(self, f: SourceFile, fns: FileFunctions, fn: FuncInfo, name: str, decl: Node, scope: Node) -> None:
        self.f, self.fns, self.fn, self.name, self.decl, self.scope = f, fns, fn, name, decl, scope
        self.goroutines: list[_Goroutine] = []
        self.receives: list[_Receive] = []
        self._by_literal: dict[int, _Goroutine] = {}

    def classify(self) -> bool:
        occs = [
            o
            for o in self.fns.facts(self.fn).uses(self.name)
            if o.id != self.decl.id and o.start_byte > self.decl.start_byte and o.end_byte <= self.scope.end_byte
        ]
        shadowed: list[Node] = []  # literals whose parameter of the same name hides the channel
        for occ in occs:
            if any(occ.start_byte >= s.start_byte and occ.end_byte <= s.end_byte for s in shadowed):
                continue
            if is_declaration(occ):
                return False  # redeclared: another variable of the same name
            inner = self.fns.enclosing(occ)
            if inner is None:
                return False
            if inner.node.id == self.fn.node.id:
                ok = self._parent_use(occ, shadowed)
            else:
                ok = self._goroutine_use(occ, inner, self.name)
            if not ok:
                return False
        return True

    def _goroutine(self, literal: Node) -> _Goroutine | None:
        got = self._by_literal.get(literal.id)
        if got is not None:
            return got
        call = self.f.parent(literal)
        go = self.f.parent(call) if call is not None else None
        if call is None or go is None or call.type != "call_expression" or go.type != "go_statement":
            return None
        fn_node = call.child_by_field_name("function")
        if fn_node is None or fn_node.id != literal.id:
            return None
        # the enclosing function of the go statement must be the channel's function
        outer = self.fns.enclosing(go)
        if outer is None or outer.node.id != self.fn.node.id:
            return None
        g = _Goroutine(go=go, literal=literal, fed=_fed_channels(self.f, literal))
        self._by_literal[literal.id] = g
        self.goroutines.append(g)
        return g

    def _owner(self, literal: Node) -> tuple[Node, bool]:
        """The function whose run `literal` is part of: itself, or for `defer func() {...}()` the
        function deferring it (the deferred call runs once, as that function ends)."""
        call = self.f.parent(literal)
        stmt = self.f.parent(call) if call is not None else None
        if call is not None and stmt is not None and stmt.type == "defer_statement" and _is(call.child_by_field_name("function"), literal):
            outer = self.fns.enclosing(stmt)
            if outer is not None and outer.node.type == "func_literal":
                return outer.node, True
        return literal, False

    def _goroutine_use(self, occ: Node, inner: FuncInfo, name: str) -> bool:
        owner, deferred = self._owner(inner.node)
        g = self._goroutine(owner)
        if g is None:
            return False  # a deferred func of the parent, a callback, a nested closure: don't guess
        f = self.f
        p = f.parent(occ)
        if p is None:
            return False
        if p.type == "send_statement" and _is(p.child_by_field_name("channel"), occ):
            if _loop_between(f, p, inner.node) and not _then_returns(f, p, inner.node):
                return False  # a stream: its receiver is meant to drain it (a send and return is one answer)
            case = f.parent(p)
            if case is not None and case.type == "communication_case":
                sel = f.parent(case)
                if sel is not None and sum(c.type in _CASES for c in sel.named_children) > 1:
                    return True  # a send that can give up (ctx.Done, default): never blocked forever
            if deferred and _recovering(f, p, inner.node):
                return True  # only when the goroutine panicked: an exceptional path, not counted
            (g.deferred if deferred else g.sends).append(p)
            return True
        if _is_call_arg(f, occ, ("close",)):
            g.closes = True
            return True
        return _is_call_arg(f, occ, ("len", "cap"))

    def _parent_use(self, occ: Node, shadowed: list[Node]) -> bool:
        f = self.f
        p = f.parent(occ)
        if p is None:
            return False
        if p.type == "unary_expression" and f.text(p).lstrip().startswith("<-"):
            self.receives.append(self._receive(p))
            return True
        if p.type == "range_clause" and _is(p.child_by_field_name("right"), occ):
            loop = f.parent(p)
            if loop is None:
                return False
            self.receives.append(_Receive(loop, "range"))
            return True
        if _is_call_arg(f, occ, ("close", "len", "cap")):
            return True
        if p.type == "argument_list":
            call = f.parent(p)
            go = f.parent(call) if call is not None else None
            lit = call.child_by_field_name("function") if call is not None else None
            if call is None or go is None or go.type != "go_statement" or lit is None or lit.type != "func_literal":
                return False  # passed to a function: the receiver may be there
            idx = next((i for i, c in enumerate(p.named_children) if c.id == occ.id), -1)
            info = self.fns.info(lit)
            if idx < 0 or idx >= len(info.params) or info.params[idx][1].startswith("...") or len(p.named_children) != len(info.params):
                return False
            pname = info.params[idx][0]
            if pname == self.name:
                shadowed.append(lit)
            for inner_occ in self.fns.facts(info).uses(pname):
                if is_declaration(inner_occ):
                    if inner_occ.parent is not None and inner_occ.parent.type == "parameter_declaration":
                        continue
                    return False
                inner = self.fns.enclosing(inner_occ)
                if inner is None or self._owner(inner.node)[0].id != lit.id or not self._goroutine_use(inner_occ, inner, pname):
                    return False
            return True
        return False  # sent by the parent, returned, stored, assigned, put in a literal: elsewhere

    def _receive(self, unary: Node) -> _Receive:
        f = self.f
        n, p = unary, f.parent(unary)
        while p is not None and p.type in ("expression_list", "receive_statement", "expression_statement", "parenthesized_expression"):
            n, p = p, f.parent(p)
        if p is not None and p.type == "communication_case" and _is(p.child_by_field_name("communication"), n):
            return _Receive(unary, "select", p)
        return _Receive(unary, "plain")


# -------------------------------------------------------------------------------------------------
def _imports_end(data: bytes) -> int:
    """Where the import declarations end, roughly: the first top-level func, type, var or const."""
    m = re.search(rb"^(?:func|type|var|const)\b", data, re.MULTILINE)
    return m.start() if m is not None else len(data)


def _capacity(f: SourceFile, make: Node) -> int | None:
    """0 for `make(chan T)`, N for a constant `make(chan T, N)`; None for anything else."""
    fn = make.child_by_field_name("function")
    args = make.child_by_field_name("arguments")
    if fn is None or args is None or f.text(fn) != "make":
        return None
    named = [c for c in args.named_children if c.type != "comment"]
    if not named or named[0].type != "channel_type":
        return None
    if len(named) == 1:
        return 0
    if len(named) == 2 and named[1].type == "int_literal":
        try:
            return int(f.text(named[1]).replace("_", ""), 0)
        except ValueError:
            return None
    return None  # len(items), a variable, a named constant: taken to be enough


def _scope_block(f: SourceFile, decl: Node) -> Node | None:
    """The block the channel variable is declared in (its scope)."""
    n = f.parent(decl)
    while n is not None and n.type in ("var_declaration", "var_spec_list"):
        n = f.parent(n)
    if n is None or n.type not in _BLOCKS:
        return None
    if n.type == "statement_list":
        p = f.parent(n)
        return p if p is not None and p.type == "block" else n
    return n


def _is(a: Node | None, b: Node) -> bool:
    return a is not None and a.id == b.id


def _is_call_arg(f: SourceFile, occ: Node, callees: tuple[str, ...]) -> bool:
    p = f.parent(occ)
    call = f.parent(p) if p is not None else None
    if p is None or call is None or p.type != "argument_list" or call.type != "call_expression":
        return False
    fn = call.child_by_field_name("function")
    return fn is not None and f.text(fn) in callees


def _fed_channels(f: SourceFile, literal: Node) -> set[str]:
    """The channels a goroutine sends on or closes, by their text."""
    out: set[str] = set()
    stack = [literal]
    while stack:
        n = stack.pop()
        if n.type == "send_statement":
            ch = n.child_by_field_name("channel")
            if ch is not None:
                out.add(f.text(ch))
        elif n.type == "call_expression":
            fn = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            if fn is not None and args is not None and f.text(fn) == "close" and args.named_child_count == 1:
                out.add(f.text(args.named_children[0]))
        stack.extend(n.named_children)
    return out


def _received_channel(f: SourceFile, case: Node) -> str | None:
    comm = case.child_by_field_name("communication")
    if comm is None:
        return None
    n = comm
    if n.type == "receive_statement":
        n = n.child_by_field_name("right") or n.named_children[-1]
    elif n.type == "expression_statement" and n.named_children:
        n = n.named_children[0]
    if n.type == "unary_expression":
        operand = n.child_by_field_name("operand")
        if operand is not None:
            return f.text(operand)
    return None


def _case_label(f: SourceFile, case: Node) -> str:
    if case.type == "default_case":
        return "its default case"
    comm = case.child_by_field_name("communication")
    text = " ".join(f.text(comm).split()) if comm is not None else "another case"
    return text if len(text) <= 40 else text[:37] + "..."


def _loop_between(f: SourceFile, node: Node, top: Node) -> bool:
    for a in f.ancestors(node):
        if a.id == top.id:
            return False
        if a.type == "for_statement":
            return True
    return False


def _recovering(f: SourceFile, stmt: Node, top: Node) -> bool:
    """Is `stmt` inside an `if` that tests `recover()` (within `top`)?"""
    for a in f.ancestors(stmt):
        if a.id == top.id:
            return False
        if a.type == "if_statement":
            head = " ".join(f.text(c) for c in (a.child_by_field_name("initializer"), a.child_by_field_name("condition")) if c is not None)
            if "recover()" in head:
                return True
    return False


def _then_returns(f: SourceFile, stmt: Node, top: Node) -> bool:
    """Is `stmt` followed in its block by a `return`, or a `break` / `goto` out of every loop
    around it (within `top`): it sends once, then the loop is over."""
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None:
        return False
    if nxt.type == "return_statement":
        return True
    if nxt.type not in ("break_statement", "goto_statement"):
        return False
    loops = [a for a in f.ancestors(stmt) if a.type == "for_statement" and _inside(top, a)]
    return bool(loops) and _exits(f, nxt, loops[-1])


def _in_loop(f: SourceFile, node: Node, scope: Node) -> bool:
    """Is `node` inside a loop that is itself inside `scope` (it runs more than once per channel)?"""
    return _loop_between(f, node, scope)


def _receive_loop(f: SourceFile, r: _Receive, scope: Node) -> Node | None:
    """The innermost loop inside `scope` around the receive (a range over the channel is one)."""
    if r.kind == "range":
        return r.node
    for a in f.ancestors(r.node):
        if a.id == scope.id or a.type in FUNCTION_KINDS:
            return None
        if a.type == "for_statement":
            return a
    return None


def _exits(f: SourceFile, stmt: Node, container: Node) -> bool:
    """Does `stmt` (return, goto, break, continue) leave `container`?"""
    if stmt.type in ("return_statement", "goto_statement"):
        return True
    label = next((c for c in stmt.named_children if c.type == "label_name"), None)
    if label is not None:
        name = f.text(label)
        for a in f.ancestors(stmt):
            lab = a.child_by_field_name("label") if a.type == "labeled_statement" else None
            if lab is not None and f.text(lab) == name:
                target = a.named_children[-1]
                if target.id == container.id:
                    return stmt.type == "break_statement"
                return not _inside(container, a)
        return True  # a label we cannot see: assume it leaves
    kinds = ("for_statement",) if stmt.type == "continue_statement" else _BREAK_TARGETS
    for a in f.ancestors(stmt):
        if a.type in kinds:
            if a.id == container.id:
                return True  # a break of the container itself leaves it; a continue of it does not
            return (
                not (container.start_byte <= a.start_byte and a.end_byte <= container.end_byte) if stmt.type == "break_statement" else False
            )
        if a.id == container.id:
            return False
        if a.type in FUNCTION_KINDS:
            return False
    return False


def _inside(outer: Node, n: Node) -> bool:
    return outer.start_byte <= n.start_byte and n.end_byte <= outer.end_byte


def _exit_word(n: Node) -> str:
    return {"return_statement": "return", "goto_statement": "goto", "break_statement": "break", "continue_statement": "continue"}.get(
        n.type, "exit"
    )


_NONE = -(1 << 40)  # no path of that kind


def _max_sends(f: SourceFile, node: Node | None, sends: set[int], exits: list[Any]) -> tuple[int, int]:
    """The most sends of `sends` one run through `node` makes: on the paths that fall through
    it, and on those that end in it (a return, an exit call); `_NONE` when there is no such
    path. Branches count once; a send before a return does not add to the sends after it."""
    if node is None:
        return 0, _NONE
    t = node.type
    if node.id in sends:
        return 1, _NONE
    if t in _BLOCKS or t in ("expression_case", "type_case", "default_case", "communication_case"):
        cont, term = 0, _NONE
        for c in node.named_children:
            if t not in _BLOCKS and c.type not in _BLOCKS and c.id not in sends:
                continue  # a case's values or its communication (not one of the sends)
            c_cont, c_term = _max_sends(f, c, sends, exits)
            term = max(term, cont + c_term)
            cont = cont + c_cont if c_cont > _NONE else _NONE
            if cont == _NONE:
                break
        return cont, term
    if t == "return_statement":
        return _NONE, 0
    if t in ("break_statement", "goto_statement") and (t == "goto_statement" or node.named_child_count > 0 or _breaks_loop(f, node)):
        return _NONE, 0  # out of the loop: the loop's sends end here (what follows it is not counted)
    if t == "expression_statement" and any(rx.match(f.text(node)) for rx in exits):
        return _NONE, 0
    if t == "if_statement":
        init = _count(node.child_by_field_name("initializer"), sends)
        cons = _max_sends(f, node.child_by_field_name("consequence"), sends, exits)
        alt_node = node.child_by_field_name("alternative")
        alt = _max_sends(f, alt_node, sends, exits) if alt_node is not None else (0, _NONE)
        return _plus(init, max(cons[0], alt[0])), _plus(init, max(cons[1], alt[1]))
    if t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
        cases = [c for c in node.named_children if c.type in ("expression_case", "type_case", "default_case", "communication_case")]
        results = [_max_sends(f, c, sends, exits) for c in cases]
        exhaustive = t == "select_statement" or any(c.type == "default_case" for c in cases)
        cont = max([n for n, _ in results] + ([] if exhaustive and results else [0]))
        return cont, max([m for _, m in results], default=_NONE)
    if t == "labeled_statement":
        return _max_sends(f, node.named_children[-1], sends, exits)
    if t == "for_statement":
        cont, term = _max_sends(f, node.child_by_field_name("body"), sends, exits)
        return (MANY if cont > 0 else 0), term  # sends that stay in the loop repeat
    if t in FUNCTION_KINDS:
        return 0, _NONE
    return _count(node, sends), _NONE


def _breaks_loop(f: SourceFile, brk: Node) -> bool:
    """Does an unlabeled `break` leave a loop (not a select or switch)?"""
    for a in f.ancestors(brk):
        if a.type in _BREAK_TARGETS:
            return a.type == "for_statement"
        if a.type in FUNCTION_KINDS:
            return False
    return False


def _plus(a: int, b: int) -> int:
    return _NONE if b == _NONE else a + b


def _count(node: Node | None, sends: set[int]) -> int:
    if node is None:
        return 0
    if node.id in sends:
        return 1
    return sum(_count(c, sends) for c in node.named_children)


class _MustReceive:
    """Does a piece of code receive from the channel on every path, and can it leave
    `container` (return, break, goto) before receiving? Structured: `if` without `else`, a loop
    that may not run, a `switch` without `default` may skip what they hold."""

    def __init__(
        self, f: SourceFile, receives: list[_Receive], container: Node, exits: list[Any], answers: frozenset[str] = frozenset()
    ) -> None:
        self.f, self.container, self.exits = f, container, exits
        self.answers = answers  # other channels the one goroutine answers on instead (one or the other)
        self.leak: Node | None = None  # the first exit found that leaves without receiving
        self.spots = [(r.node.start_byte, r.node.end_byte) for r in receives]

    def _holds(self, n: Node) -> bool:
        return any(n.start_byte <= a and b <= n.end_byte for a, b in self.spots)

    def run(self, n: Node | None) -> tuple[bool, bool]:
        """(every path that falls through received, some path leaves without receiving)."""
        if n is None:
            return False, False
        t = n.type
        if t in _BLOCKS:
            leaks = False
            for c in n.named_children:
                got, lk = self.run(c)
                leaks = leaks or lk
                if got:
                    return True, leaks
                if c.type in ("return_statement", "goto_statement", "break_statement", "continue_statement"):
                    return False, leaks
            return False, leaks
        if t in FUNCTION_KINDS:
            return False, False
        if t in ("return_statement", "goto_statement", "break_statement", "continue_statement"):
            if self._holds(n):
                return True, False  # return <-ch
            leaves = _exits(self.f, n, self.container)
            if leaves and self.leak is None:
                self.leak = n
            return False, leaves
        if t == "expression_statement" and any(rx.match(self.f.text(n)) for rx in self.exits):
            return True, False  # the process ends: no sender is left waiting for long
        if t == "if_statement":
            init = n.child_by_field_name("initializer")
            cond = n.child_by_field_name("condition")
            if (init is not None and self._holds(init)) or (cond is not None and self._holds(cond)):
                return True, False
            then_ = self.run(n.child_by_field_name("consequence"))
            alt = n.child_by_field_name("alternative")
            else_ = self.run(alt) if alt is not None else (False, False)
            return then_[0] and else_[0], then_[1] or else_[1]
        if t in ("expression_switch_statement", "type_switch_statement", "select_statement"):
            cases = [c for c in n.named_children if c.type in ("expression_case", "type_case", "default_case", "communication_case")]
            outs = []
            for c in cases:
                comm = c.child_by_field_name("communication") if c.type == "communication_case" else None
                if comm is not None and (self._holds(comm) or _received_channel(self.f, c) in self.answers):
                    outs.append((True, False))
                    continue
                body = next((x for x in c.named_children if x.type in _BLOCKS), None)
                outs.append(self.run(body) if body is not None else (False, False))
            exhaustive = t == "select_statement" or any(c.type == "default_case" for c in cases)
            return exhaustive and bool(outs) and all(g for g, _ in outs), any(lk for _, lk in outs)
        if t == "for_statement":
            if self._holds(n):
                return True, False  # a receive loop: how many it takes is the many-senders question
            exit_ = _first_exit_in(self.f, n, self.container)
            if exit_ is not None and self.leak is None:
                self.leak = exit_
            return False, exit_ is not None
        if t == "labeled_statement":
            return self.run(n.named_children[-1])
        return self._holds(n), False


def _first_exit_in(f: SourceFile, region: Node, container: Node) -> Node | None:
    """The first statement in `region` (in source order, outside nested functions) that leaves
    `container`: a return, a goto, a break or continue whose target is it or outside it."""
    stack = [region]
    while stack:
        n = stack.pop()
        if n.type in FUNCTION_KINDS:
            continue
        if n.type in ("return_statement", "goto_statement", "break_statement", "continue_statement") and _exits(f, n, container):
            return n
        stack.extend(reversed(n.named_children))
    return None
