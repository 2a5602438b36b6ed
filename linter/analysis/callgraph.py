"""Package call graph and loop context.

`CALLGRAPH` (package-level) records, for every function and method declared in the package, the
call sites that resolve to it by name: `f(...)` for functions, `x.m(...)` for methods when `x`
is the caller's own receiver or a parameter/variable declared with the method's receiver type.
Resolution is deliberately conservative (no types): a name that might be some other package's
method is not linked, so loop context never comes from a guess.

`lexical_loop` answers "does this node run once per iteration of an enclosing `for`?", crossing
func literals only where they run per iteration (called, `go`, `defer`, or passed as a callback).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tree_sitter

from linter.analysis.framework import Analyzer, Package, PackagePass, Pass, package_work
from linter.analysis.functions import CALL, FUNCTIONS, METHOD_CALL, FileFunctions, FuncInfo, assigned_value, is_field, name_occurrences
from linter.parsing import SourceFile, ancestors_of

Node = tree_sitter.Node


@dataclass(eq=False)
class CallSite:
    file: SourceFile
    call: Node  # the call_expression (or the function-value argument for callbacks)
    caller: FuncInfo | None


class CallGraph:
    """Call sites per callee, resolved when first asked: the text of the package says where the
    callee's name occurs, and only those files are parsed and those nodes looked at."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self._sites: dict[int, list[CallSite]] = {}

    def sites(self, fn: FuncInfo) -> list[CallSite]:
        got = self._sites.get(fn.node.id)
        if got is None:
            with package_work(f"call graph (the callers of {fn.display})"):
                got = self._resolve(fn)
            self._sites[fn.node.id] = got
        return got

    def _resolve(self, fn: FuncInfo) -> list[CallSite]:
        if not fn.name or fn.node.type not in ("function_declaration", "method_declaration"):
            return []
        out = []
        method = fn.node.type == "method_declaration"
        production = not fn.file.path.endswith("_test.go")
        for f, node in name_occurrences(self.package, fn.name, METHOD_CALL if method else CALL):
            if production and f.path.endswith("_test.go"):
                continue  # a test calling production code in a loop says nothing about production
            p = self.package.pass_for(f)
            fns: FileFunctions = p.result_of(FUNCTIONS)
            parent = node.parent
            if parent is None:
                continue
            if not method:
                # f(...): an identifier callee
                if node.type == "identifier" and parent.type == "call_expression" and is_field(parent, "function", node):
                    out.append(CallSite(f, parent, fns.enclosing(parent)))
                continue
            # x.m(...): a method call on a value of the receiver's type
            call = parent.parent
            if (
                node.type == "field_identifier"
                and parent.type == "selector_expression"
                and is_field(parent, "field", node)
                and call is not None
                and call.type == "call_expression"
                and is_field(call, "function", parent)
            ):
                operand = parent.child_by_field_name("operand")
                if operand is not None and _receiver_matches(p, fns, operand, fn):
                    out.append(CallSite(f, call, fns.enclosing(call)))
        return out


def _receiver_matches(pass_: Pass, fns: FileFunctions, operand: Node, candidate: FuncInfo) -> bool:
    """Is `operand` (in `operand.m()`) a value of the method's receiver type? Only what the
    code declares counts: the caller's own receiver, a parameter declared with that type, or a
    field of the receiver's struct declared with it (`s.worker.run()`)."""
    return operand_type(pass_, fns, operand) == candidate.receiver_type


def _base_type(t: str) -> str:
    return t.strip().lstrip("*").split("[")[0].strip()


def operand_type(pass_: Pass, fns: FileFunctions, operand: Node) -> str | None:
    """The declared (base) type of `x` or `recv.field`, from signatures and the package's struct
    declarations; None when the code does not say (unresolved is unknown, never a match)."""
    if operand.type == "selector_expression":
        inner, field = operand.child_by_field_name("operand"), operand.child_by_field_name("field")
        if inner is None or field is None or inner.type != "identifier":
            return None
        owner = operand_type(pass_, fns, inner)
        return None if owner is None else struct_field_type(pass_.package, owner, pass_.file.text(field))
    if operand.type != "identifier":
        return None
    name = pass_.file.text(operand)
    for fn in (fns.enclosing(operand), fns.outermost(operand)):
        if fn is None:
            continue
        if fn.receiver == name:
            return fn.receiver_type
        t = fn.param_type(name)
        if t is not None:
            return _base_type(t)
        if fns.facts(fn).declares(name):
            return _local_var_type(pass_, fns, fn, name)
    return package_var_type(pass_.package, name)


_CONSTRUCTED = re.compile(r"^&?\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*(\[[^\]]*\])?\s*\{")
_NEW_CALL = re.compile(r"^(?:\w+\.)?[Nn]ew([A-Z]\w*)\(")


def _local_var_type(pass_: Pass, fns: FileFunctions, fn: FuncInfo, name: str) -> str | None:
    """A local variable's type when every assignment says it: `var w T`, `w := &T{...}`, or
    `w := NewT(...)` / `newT(...)` (a constructor named after its type). Anything else: unknown."""
    found: str | None = None
    for occ in fns.facts(fn).uses(name):
        p = occ.parent
        if p is not None and p.type == "var_spec":
            tn = p.child_by_field_name("type")
            if tn is not None:
                return _base_type(pass_.file.text(tn))
        value = assigned_value(occ)
        if value is None:
            continue
        text = pass_.file.text(value)
        m = _CONSTRUCTED.match(text)
        n = None if m else _NEW_CALL.match(text)
        t = m.group(1).rsplit(".", 1)[-1] if m else (n.group(1) if n else None)
        if n is not None and t is not None and n.group(0).rsplit(".", 1)[-1].startswith("new"):
            t = t[0].lower() + t[1:]  # newWorker(...) builds the unexported `worker`
        if t is None or (found is not None and t != found):
            return None
        found = t
    return found


def package_var_type(package: Package, name: str) -> str | None:
    """`var display printer = ...` (or inside a `var (...)` block) at package level: "printer"."""
    key = ("package-var-type", name)
    memo = package.memo
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    found = None
    rx = re.compile(rb"(?m)^(?:var\s+|\t)" + re.escape(name.encode()) + rb"\s+([*\w.]+)(?:\s*=|\s*$)")
    for data in package.sources():
        for m in rx.finditer(data):
            if m.group(0).startswith(b"var") or re.search(rb"(?m)^var\s*\(", data[: m.start()]):
                t = m.group(1).decode("utf-8", "replace")
                if t not in ("=", "struct", "interface", "func", "chan", "map"):
                    found = _base_type(t)
                    break
        if found:
            break
    memo[key] = found
    return found


def declares_interface(package: Package, type_name: str) -> bool:
    """Is `type T interface {` declared in the package? Memoized per package; the pattern starts
    with its literal `type` (a leading `\b` made `re` try every offset: 6 ms per 20 kB file)."""
    key = ("declares-interface", type_name)
    memo = package.memo
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    name = type_name.encode()
    rx = re.compile(rb"type\s+" + re.escape(name) + rb"\s+interface\s*\{")
    found = False
    for data in package.sources():
        if name not in data:
            continue
        for m in rx.finditer(data):
            before = data[m.start() - 1 : m.start()]
            if not (before.isalnum() or before == b"_"):
                found = True
                break
        if found:
            break
    memo[key] = found
    return found


def struct_field_type(package: Package, type_name: str, field: str) -> str | None:
    """`type T struct { field *U }` somewhere in the package: "U" (qualified types keep their
    package: "pkg.U"). Read from the package's text, memoized per (type, field)."""
    key = ("struct-field", type_name, field)
    memo = package.memo
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    found = None
    head = re.compile(rb"\btype\s+" + re.escape(type_name.encode()) + rb"(\[[^\]]*\])?\s+struct\s*\{")
    line = re.compile(rb"(?m)^\s*(?:\w+\s*,\s*)*" + re.escape(field.encode()) + rb"(?:\s*,\s*\w+)*\s+([*\w.\[\]]+)")
    for data in package.sources():
        m = head.search(data)
        if m is None:
            continue
        end = data.find(b"\n}", m.end())
        fm = line.search(data, m.end(), end if end != -1 else len(data))
        if fm is not None:
            found = _base_type(fm.group(1).decode("utf-8", "replace"))
        break
    memo[key] = found
    return found


def _run_callgraph(pp: PackagePass) -> CallGraph:
    return CallGraph(pp.package)


CALLGRAPH = Analyzer(
    name="callgraph",
    doc="call sites of each package function and method, resolved by name without guessing",
    run=_run_callgraph,
    package_level=True,
)


def literal_runs_per_iteration(lit: Node, f: SourceFile | None = None) -> bool:
    """A func literal inside a loop body runs per iteration if it is invoked or handed to a call."""
    p = f.parent(lit) if f is not None else lit.parent
    if p is None:
        return False
    if p.type == "call_expression" and p.child_by_field_name("function") is not None and p.child_by_field_name("function").id == lit.id:  # type: ignore[union-attr]
        return True
    return p.type == "argument_list"


LOOP_KINDS = ("forever", "condition", "channel-range", "counted", "collection-range")
_CHANNEL_NAME = re.compile(
    r"(?i)(^(ch|c|sub|w)$|chan(nel)?s?$|^tick|tick(er)?s?$|events?$|updates?$|msgs?$|messages$|notifications?$|signals?$|"
    r"watch(er|es)?$|subscriptions?$|Chan\(\)$)"
)


def loop_kind(f: SourceFile, loop: Node) -> str:
    """forever (`for {}`), condition (`for cond {}`), counted (`for i := 0; ...`), or a range
    over something that delivers values over time (a ticker, a channel) or over a collection."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        cond = next((c for c in loop.named_children if c.type not in ("block", "comment")), None)
        if cond is None:
            return "forever"
        return "counted" if _counts(f, loop, cond) else "condition"
    if clause.type == "for_clause":
        return "counted" if clause.child_by_field_name("condition") is not None else "forever"
    right = clause.child_by_field_name("right")
    if right is None:
        return "collection-range"
    text = f.text(right)
    if right.type == "unary_expression" and text.lstrip().startswith("*"):
        # `range *topics`: a collection behind a pointer (a channel behind one is rare)
        return "channel-range" if _CHANNEL_NAME.search(text.rsplit(".", 1)[-1]) else "collection-range"
    if right.type == "unary_expression" or text.endswith(".C") or re.search(r"\bTick\w*\(|Chan(nel)?\(\)$", text):
        return "channel-range"
    if right.type == "call_expression":
        fn = right.child_by_field_name("function")
        name = f.text(fn).rsplit(".", 1)[-1] if fn is not None else ""
        return "channel-range" if _CHANNEL_NAME.search(name) else "collection-range"
    if right.type == "identifier" and _declared_as_channel(f, right, text):
        return "channel-range"
    if right.type in ("identifier", "selector_expression"):
        name = text.rsplit(".", 1)[-1]
        if _CHANNEL_NAME.search(name):
            return "channel-range"
        if right.type == "selector_expression" and re.search(rb"\b" + re.escape(name.encode()) + rb"\s+(<-\s*)?chan\b", f.data):
            return "channel-range"  # `for m := range s.conn` with a field declared `conn chan T`
        return "collection-range"
    return "collection-range"


_COMPARED = re.compile(r"^\s*([\w.]+)\s*(<=?|>=?|!=)\s*[^=]|[^=!<>]\s*(<=?|>=?|!=)\s*([\w.]+)\s*$")


_BUDGET_GUARD = re.compile(r"\bif\s+(\w+)\s*(?:>|>=)\s*\w+\s*\{\s*(?:return|break)\b")
_SIZE_BOUND = re.compile(
    r"^\s*(len\([\w.]+\)|[\w.]+\.Len\(\))\s*(<=?|>=?)\s*[\w.()]+\s*$|^\s*[\w.()]+\s*(<=?|>=?)\s*(len\([\w.]+\)|[\w.]+\.Len\(\))\s*$"
)


def _counts(f: SourceFile, loop: Node, cond: Node) -> bool:
    """`for attempts < max { ...; attempts++ }`: a condition on a counter the body steps is a
    bounded loop (a retry budget), not one that repeats for the life of the process; so is a
    loop until a collection reaches a size (`for peers.Len() < size`, `for len(q) > 0`)."""
    if _SIZE_BOUND.match(f.text(cond)):
        return True
    body = loop.child_by_field_name("body")
    if body is not None:
        # `for c.Next() { if i > 0 { return ErrOnce }; i++; ... }`: a budget checked in the body
        text = f.text(body)
        for g in _BUDGET_GUARD.finditer(text):
            if re.search(rf"(?<![\w.]){re.escape(g.group(1))}\s*(\+\+|\+=)", text):
                return True
    m = _COMPARED.search(f.text(cond))
    if m is None:
        return False
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    names = [n for n in (m.group(1), m.group(4)) if n and not n[0].isdigit()]
    text = f.text(body)
    return any(re.search(rf"(?<![\w.]){re.escape(n)}\s*(\+\+|--|[+-]=)", text) for n in names)


def _declared_as_channel(f: SourceFile, ident: Node, name: str) -> bool:
    """`rooms <-chan string` as a parameter, or `rooms := make(chan T)` in the function."""
    fn = next((n for n in f.ancestors(ident) if n.type in ("function_declaration", "method_declaration", "func_literal")), None)
    if fn is None:
        return False
    text = f.text(fn)
    n = re.escape(name)
    return re.search(rf"\b{n}(\s*,\s*\w+)*\s+(<-\s*)?chan\b|\b{n}\s*:?=\s*make\(\s*(<-\s*)?chan\b", text) is not None


def lexical_loop(node: Node, f: SourceFile | None = None, kinds: frozenset[str] | None = None) -> Node | None:
    """The innermost `for` statement (of one of `kinds`) whose body runs `node` once per iteration."""
    child = node
    for n in ancestors_of(node, f):
        if n.type == "for_statement":
            body = n.child_by_field_name("body")
            if body is not None and body.id == child.id and (kinds is None or f is None or loop_kind(f, n) in kinds):
                return n
        elif n.type == "func_literal":
            if not literal_runs_per_iteration(n, f):
                return None
        elif n.type in ("function_declaration", "method_declaration"):
            return None
        child = n
    return None


def loop_description(f: SourceFile, loop: Node) -> str:
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    line = loop.start_point[0] + 1
    if clause is not None and clause.type == "range_clause":
        right = clause.child_by_field_name("right")
        rtext = f.text(right) if right is not None else ""
        if rtext.endswith(".C") or "Tick" in rtext:
            return f"the ticker loop at line {line}"
        return f"the range loop at line {line}"
    body = loop.child_by_field_name("body")
    if body is not None and b"time.Sleep(" in f.data[body.start_byte : body.end_byte]:
        return f"the polling loop at line {line}"
    return f"the for loop at line {line}"
