"""`hoist-timer`: one timer for the whole loop instead of a `time.After` per iteration
(time-after-in-loop).

    for {                                   timer := time.NewTimer(d)
        select {                            defer timer.Stop()
        case m := <-in:                     for {
            handle(m)                           if !timer.Stop() {
        case <-time.After(d):      ==>              select {
            return errIdle                      case <-timer.C:
        }                                       default:
    }                                           }
                                                }
                                                timer.Reset(d)
                                                select {
                                                case m := <-in:
                                                    handle(m)
                                                case <-timer.C:
                                                    return errIdle
                                                }
                                            }

The timer is re-armed right before the select, where `time.After(d)` started a new one, so the
select waits exactly as long as before. Before Go 1.23 `Reset` needs a stopped and drained timer
(else a stale tick already in the channel fires the case at once): stop, drain without blocking,
then reset. From Go 1.23 (the module's `go` directive, or `--go-version`) `Reset` discards a
stale tick itself, and the fix is a plain `timer.Reset(d)`; when the version is unknown the
stop-and-drain form is used, which is right on every version.

No fix (reported without one) unless every condition holds:

- the match is `time.After(d)` received directly in a case of a select that is itself a
  statement of the body of the loop that repeats it (the check's lexical loop), not a channel
  kept in a variable, a `time.NewTimer`, or a select nested in an `if` or a literal;
- `d` is loop-invariant: one line, no call but a `time.Duration(...)` conversion, no receive,
  and nothing it names (a variable, a field path) assigned, incremented, declared or
  address-taken in the loop;
- the loop is not inside another loop of its function (a deferred Stop there would pile up
  until the function returns); in a func literal (a goroutine) the defer goes in the literal;
- the loop holds no other `time.After` (which timer to share is a human decision);
- the name `timer` (else `t`) occurs nowhere in the function (as a variable, parameter, type or
  package name).
"""

from __future__ import annotations

import re

import tree_sitter

from linter.analysis.functions import word_positions
from linter.fix.facts import TIMER_LOOP, TimerLoop
from linter.fix.model import Fix
from linter.fix.strategy import FixContext, Strategy, register

Node = tree_sitter.Node

_FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")
_NAMES = ("timer", "t")
_CONVERSIONS = frozenset({"time.Duration"})
# Go 1.23: timers are collected when unreferenced and Reset/Stop discard a stale tick
PLAIN_RESET = (1, 23)


@register
class HoistTimerStrategy(Strategy):
    name = "hoist-timer"
    doc = "create the timer once before the loop (`defer t.Stop()`) and Reset it each time round instead of a time.After per iteration"
    facts = (TIMER_LOOP,)
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            # names to try for the timer, in order (the first not used in the function)
            "names": {"type": "array", "items": {"type": "string", "pattern": r"^[A-Za-z_]\w*$"}, "minItems": 1},
        },
    }

    def propose(self, ctx: FixContext) -> Fix | None:
        fact = ctx.facts.get(TIMER_LOOP)
        if not isinstance(fact, TimerLoop):
            return None
        f = ctx.file
        call = ctx.match
        if call.type != "call_expression" or _squash(f, call.child_by_field_name("function")) != "time.After":
            return None
        args = call.child_by_field_name("arguments")
        if args is None or len(args.named_children) != 1 or any(c.type == "..." for c in args.children):
            return None
        d = args.named_children[0]
        select = _select_of(f, call)
        loop = fact.loop
        if select is None or not _statement_of_body(f, select, loop):
            return None
        loop_stmt = _labelled(f, loop)
        if not _defer_is_right(f, loop_stmt):
            return None
        if _other_time_after(f, loop, call):
            return None
        dtext = _utf8(ctx.data, d)
        if dtext is None or "\n" in dtext or not _invariant(f, d, loop):
            return None
        fn = _outermost_function(f, loop)
        if fn is None:
            return None
        names = self.params.get("names", list(_NAMES))
        name = next((n for n in names if not _used(f, fn, n)), None)
        if name is None:
            return None
        loop_indent = ctx.indentation_of(loop)  # (a label is outdented: the loop's own line)
        select_indent = ctx.indentation_of(select)
        if loop_indent is None or select_indent is None:
            return None
        nl = ctx.newline_at(loop_stmt.start_byte)
        hoisted = f"{loop_indent}{name} := time.NewTimer({dtext}){nl}{loop_indent}defer {name}.Stop(){nl}"
        version = getattr(ctx.pass_, "go_version", None)
        i = select_indent
        if version is not None and version >= PLAIN_RESET:
            reset = f"{i}{name}.Reset({dtext}){nl}"
            how = "a plain Reset (Go 1.23+)"
        else:
            reset = (
                f"{i}if !{name}.Stop() {{{nl}{i}\tselect {{{nl}{i}\tcase <-{name}.C:{nl}{i}\tdefault:{nl}{i}\t}}{nl}{i}}}{nl}"
                f"{i}{name}.Reset({dtext}){nl}"
            )
            how = "stopped, drained and Reset" + (" (before Go 1.23)" if version is not None else " (right on every Go version)")
        before_loop = _comment_start(ctx.data, loop_stmt)
        before_select = _comment_start(ctx.data, select)
        if before_select <= loop_stmt.start_byte:
            return None
        return self.fix(
            f"create one timer before the loop ({name} := time.NewTimer({_short(dtext)}), defer {name}.Stop()), "
            f"{how} each time round, and wait on {name}.C",
            ctx.edit(before_loop, before_loop, hoisted),
            ctx.edit(before_select, before_select, reset),
            ctx.edit(call.start_byte, call.end_byte, f"{name}.C"),
        )


def _utf8(data: bytes, node: Node) -> str | None:
    """The node's source text, None when it is not valid UTF-8 (a copy would not be byte-exact)."""
    try:
        return data[node.start_byte : node.end_byte].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _squash(f: object, node: Node | None) -> str:
    return "".join(f.text(node).split()) if node is not None else ""  # type: ignore[attr-defined]


def _select_of(f: object, call: Node) -> Node | None:
    """The select whose case receives `call` directly (`case <-call:`, `case v := <-call:`)."""
    recv = f.parent(call)  # type: ignore[attr-defined]
    if recv is None or recv.type != "unary_expression" or (recv.child_by_field_name("operator") or recv).type != "<-":
        return None
    stmt = f.parent(recv)  # type: ignore[attr-defined]
    if stmt is None or stmt.type != "receive_statement":
        return None
    right = stmt.child_by_field_name("right")
    if right is not None and right.id != recv.id:
        return None
    case = f.parent(stmt)  # type: ignore[attr-defined]
    if case is None or case.type != "communication_case":
        return None
    comm = case.child_by_field_name("communication")
    if comm is None or comm.id != stmt.id:
        return None
    select = f.parent(case)  # type: ignore[attr-defined]
    return select if select is not None and select.type == "select_statement" else None


def _statement_of_body(f: object, stmt: Node, loop: Node) -> bool:
    """Is `stmt` one of the statements of `loop`'s body itself?"""
    body = loop.child_by_field_name("body")
    parent = f.parent(stmt)  # type: ignore[attr-defined]
    if body is None or parent is None:
        return False
    if parent.type == "statement_list":
        parent = f.parent(parent)  # type: ignore[attr-defined]
    return parent is not None and parent.id == body.id


def _labelled(f: object, loop: Node) -> Node:
    """`outer: for {...}`: the labelled statement (what goes before the loop goes before its label)."""
    p = f.parent(loop)  # type: ignore[attr-defined]
    return p if p is not None and p.type == "labeled_statement" else loop


def _defer_is_right(f: object, stmt: Node) -> bool:
    """`stmt` is a statement of a block, with no loop between it and its function (a defer there
    runs once per call of the function, not once per iteration of an outer loop)."""
    parent = f.parent(stmt)  # type: ignore[attr-defined]
    if parent is None or parent.type not in ("statement_list", "block"):
        return False
    for n in f.ancestors(stmt):  # type: ignore[attr-defined]
        if n.type in _FUNCTIONS:
            return True
        if n.type == "for_statement":
            return False
    return False


def _other_time_after(f: object, loop: Node, call: Node) -> bool:
    """Another `time.After` in the loop's text (a comment or a func literal's counts too: cheap
    and on the safe side)."""
    data: bytes = f.data  # type: ignore[attr-defined]
    i = data.find(b"time.After", loop.start_byte, loop.end_byte)
    while i != -1:
        if not call.start_byte <= i < call.end_byte:
            return True
        i = data.find(b"time.After", i + 1, loop.end_byte)
    return False


def _paths(f: object, d: Node) -> list[str] | None:
    """The variables and field paths `d` reads (`d`, `s.idle`, `time.Minute`); None when `d`
    calls something (its value may change every call) or receives."""
    out: list[str] = []
    stack = [d]
    while stack:
        n = stack.pop()
        if n.type == "call_expression":
            if _squash(f, n.child_by_field_name("function")) not in _CONVERSIONS:
                return None
            args = n.child_by_field_name("arguments")
            stack.extend(args.named_children if args is not None else [])
            continue
        if n.type in ("func_literal", "composite_literal"):
            return None
        if n.type == "unary_expression" and (n.child_by_field_name("operator") or n).type in ("<-", "&"):
            return None
        if n.type == "selector_expression" and re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+", _squash(f, n)):
            out.append(_squash(f, n))
            continue
        if n.type == "identifier":
            out.append(f.text(n))  # type: ignore[attr-defined]
            continue
        stack.extend(n.named_children)
    return out


def _overlaps(a: str, b: str) -> bool:
    """Does writing path `a` change path `b` (or the reverse): one is the other or a prefix of it at a dot?"""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def _invariant(f: object, d: Node, loop: Node) -> bool:
    """Nothing `d` reads is written in the loop: each occurrence of a name it starts from (found
    in the loop's text) is looked at, and one that is written (assigned, declared, incremented,
    ranged into, address taken) must not be a path `d` reads or a prefix of one."""
    paths = _paths(f, d)
    if paths is None:
        return False
    data: bytes = f.data  # type: ignore[attr-defined]
    root = loop
    # (`time` is the package: the match is `time.After`, so `time.Minute` is a constant)
    for name in {p.split(".")[0] for p in paths} - {"time"}:
        for i in word_positions(data, name.encode(), loop.start_byte, loop.end_byte):
            if d.start_byte <= i < d.end_byte:
                continue
            occ = root.descendant_for_byte_range(i, i + len(name.encode()))
            if occ is None or occ.type != "identifier" or occ.start_byte != i:
                continue
            target = _written(f, occ)
            if target is not None and any(_overlaps(target, p) for p in paths):
                return False
    return True


def _written(f: object, occ: Node) -> str | None:
    """The path written at this occurrence of a name (`s.idle` in `s.idle = x`, `m` in `m[k]++`,
    `d` in `p := &d`), or None when it is only read here."""
    expr = occ
    while True:
        p = f.parent(expr)  # type: ignore[attr-defined]
        if p is None:
            return None
        if p.type == "selector_expression" and (p.child_by_field_name("operand") or p).id == expr.id:
            expr = p
            continue
        if (
            p.type in ("index_expression", "slice_expression", "parenthesized_expression")
            and (p.child_by_field_name("operand") or p.named_children[0]).id == expr.id
        ):
            expr = p
            continue
        if p.type == "unary_expression":
            op = p.child_by_field_name("operator")
            if op is not None and op.type == "&":
                return _target_path(f, expr)
            if op is not None and op.type == "*":
                expr = p
                continue
        break
    holder = p
    if holder.type == "expression_list":
        up = f.parent(holder)  # type: ignore[attr-defined]
        if up is not None and up.type in ("assignment_statement", "short_var_declaration", "range_clause"):
            left = up.child_by_field_name("left")
            return _target_path(f, expr) if left is not None and left.id == holder.id else None
        return None
    if holder.type in ("inc_statement", "dec_statement"):
        return _target_path(f, expr)
    if holder.type in ("assignment_statement", "range_clause"):
        left = holder.child_by_field_name("left")
        return _target_path(f, expr) if left is not None and left.id == expr.id else None
    if holder.type == "var_spec" and any(n.id == expr.id for n in holder.children_by_field_name("name")):
        return _target_path(f, expr)
    return None


def _target_path(f: object, t: Node) -> str:
    """The variable or field path an assignment writes: `s.idle` for `s.idle`, `m` for `m[k]` or `*m`."""
    while t.type in ("index_expression", "parenthesized_expression", "unary_expression", "slice_expression"):
        inner = t.child_by_field_name("operand") or (t.named_children[0] if t.named_children else None)
        if inner is None:
            break
        t = inner
    text = _squash(f, t)
    return text if re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", text) else text.split(".")[0]


def _outermost_function(f: object, node: Node) -> Node | None:
    """The top-level function or method around `node` (closures share its names)."""
    found = None
    for n in f.ancestors(node):  # type: ignore[attr-defined]
        if n.type in _FUNCTIONS:
            found = n
    return found


def _used(f: object, fn: Node, name: str) -> bool:
    """Is `name` an identifier, type or package name anywhere in the function?"""
    data: bytes = f.data  # type: ignore[attr-defined]
    n = len(name.encode())
    for i in word_positions(data, name.encode(), fn.start_byte, fn.end_byte):
        node = fn.descendant_for_byte_range(i, i + n)
        if node is not None and node.start_byte == i and node.end_byte == i + n and node.type in _NAME_NODES:
            return True
    return False


_NAME_NODES = frozenset({"identifier", "package_identifier", "type_identifier"})


def _comment_start(data: bytes, node: Node) -> int:
    """The start of `node`'s line, or of the `//` comment lines right above it (they belong to it)."""
    start = data.rfind(b"\n", 0, node.start_byte) + 1
    while start > 0:
        prev = data.rfind(b"\n", 0, start - 1) + 1
        if not data[prev:start].strip().startswith(b"//"):
            break
        start = prev
    return start


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."
