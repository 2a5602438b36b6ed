"""`endless`: a goroutine whose body waits on a timer forever, with no way out.

The matched node is a `go` statement. Its body is the func literal it starts, or the package
function or method it calls (receivers resolved by declared type, like the call graph). The
goroutine is endless when that body holds a loop that wakes up on time (`for range ticker.C`,
`for range time.Tick(d)`, `for { <-t.C ... }`, `for { time.Sleep(d); ... }`) and that nothing
leaves: no `return`, no `break` or `goto` out of it, no `panic`/`os.Exit`/`runtime.Goexit`.
Such a goroutine lives, with its ticker, until the process ends; started per request or per
object (see `loop-context` for "repeats"), one more is left behind every time.
"""

from __future__ import annotations

import re
from typing import Any

import tree_sitter

from linter.analysis.callgraph import operand_type
from linter.analysis.framework import Pass
from linter.analysis.functions import FUNCTIONS, PACKAGE_DECLS, FileFunctions, FuncInfo, PackageDecls
from linter.checks.base import STRING_LIST, Check, Verdict
from linter.parsing import SourceFile
from linter.patterns import Env

Node = tree_sitter.Node

_FUNCTIONS = ("func_literal", "function_declaration", "method_declaration")


class EndlessCheck(Check):
    name = "endless"
    provides = ("ENDLESS",)
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "waits": STRING_LIST,
            "exits": STRING_LIST,
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        # what makes a loop wake up on time (a regex over the loop's text)
        self.waits = self.regexes("waits", [r"\.C\b", r"\btime\.Tick\(", r"\btime\.Sleep\(", r"\btime\.After\("])
        # calls that end the goroutine or the process
        self.exits = self.regexes(
            "exits", [r"^(panic|os\.Exit|runtime\.Goexit|log\.Fatal\w*|log\.Panic\w*)\(", r"^\w+\.(Fatal|Panic)\w*\("]
        )

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        if node.type != "go_statement":
            return None
        call = next((c for c in node.named_children if c.type == "call_expression"), None)
        if call is None:
            return None
        body, f = self._goroutine_body(call, pass_)
        if body is None or f is None:
            return None
        loop = self._endless_loop(body, f)
        if loop is None:
            return None
        where = "" if f is pass_.file else f" in {f.path.rsplit('/', 1)[-1]}"
        return Verdict(vars={"ENDLESS": f"the loop at line {loop.start_point[0] + 1}{where} wakes up on a timer and nothing leaves it"})

    def _goroutine_body(self, call: Node, pass_: Pass) -> tuple[Node | None, SourceFile | None]:
        fn_node = call.child_by_field_name("function")
        if fn_node is None:
            return None, None
        if fn_node.type == "func_literal":
            return fn_node.child_by_field_name("body"), pass_.file
        decls: PackageDecls = pass_.result_of(PACKAGE_DECLS)
        target: FuncInfo | None = None
        if fn_node.type == "identifier":
            cands = decls.functions_named(pass_.file.text(fn_node))
            target = cands[0] if len(cands) == 1 else None
        elif fn_node.type == "selector_expression":
            operand, field = fn_node.child_by_field_name("operand"), fn_node.child_by_field_name("field")
            if operand is None or field is None:
                return None, None
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            owner = operand_type(pass_, fns, operand)
            if owner is None:
                return None, None  # unresolved: unknown, never a match
            cands = [m for m in decls.methods_named(pass_.file.text(field)) if m.receiver_type == owner]
            target = cands[0] if len(cands) == 1 else None
        if target is None or target.body is None:
            return None, None
        return target.body, target.file

    def _endless_loop(self, body: Node, f: SourceFile) -> Node | None:
        for loop in _loops(body):
            if not _forever_or_timed_range(f, loop):
                continue
            text = f.text(loop)
            ranged = any(c.type == "range_clause" for c in loop.named_children)  # over a ticker: waits
            if not ranged and not any(rx.search(text) for rx in self.waits):
                continue
            if self._leaves(loop, f):
                continue
            return loop
        return None

    def _leaves(self, loop: Node, f: SourceFile) -> bool:
        """Is there any way out of `loop`: a return, a goto, a break that leaves it, an exit call?
        A `case` that can never fire does not count: `<-ctx.Done()` of a `context.Background()`,
        or a local channel nothing closes or sends on."""

        def walk(n: Node) -> bool:
            if n.type == "func_literal":
                return False  # its returns leave the literal, not the loop
            if n.type == "communication_case" and _never_fires(f, n, loop):
                return False
            if n.type in ("return_statement", "goto_statement"):
                return True
            if n.type == "break_statement":
                if n.named_child_count > 0:
                    return True  # a labelled break: assume it leaves (labels are rare and deliberate)
                if _breaks_out_of(n, loop):
                    return True
            if n.type == "expression_statement" and any(rx.match(f.text(n)) for rx in self.exits):
                return True
            return any(walk(c) for c in n.named_children)

        body = loop.child_by_field_name("body")
        return body is not None and walk(body)


_BACKGROUND = re.compile(r"^context\.(Background|TODO)\(\)$")


def _never_fires(f: SourceFile, case: Node, loop: Node) -> bool:
    """`case <-ctx.Done():` where ctx is `context.Background()`, or `case <-stop:` where `stop` is
    a channel made in the enclosing function that nothing closes, sends on or hands out."""
    comm = case.child_by_field_name("communication")
    m = re.match(r"^(?:\w+\s*(?:,\s*\w+)?\s*:?=\s*)?<-\s*([\w.]+?)(\.Done\(\))?$", f.text(comm).strip()) if comm is not None else None
    if m is None:
        return False
    name, done = m.group(1), m.group(2)
    if "." in name:
        return False  # a field: someone else may close it
    scope = loop
    while scope.parent is not None and scope.type not in ("function_declaration", "method_declaration"):
        scope = scope.parent  # the declared function around the goroutine (its captures)
    text = f.text(scope)
    assigns = [a.split("//", 1)[0] for a in re.findall(rf"(?<![\w.]){re.escape(name)}\s*:?=\s*([^\n;]+)", text)]
    if not assigns:
        return False  # a parameter or a package variable: set elsewhere
    if done:
        return all(_BACKGROUND.match(a.strip()) for a in assigns)
    if not all(a.strip().startswith("make(chan") for a in assigns):
        return False
    uses = re.findall(rf"(?<![\w.]){re.escape(name)}\b", text)
    closed = re.search(rf"\bclose\(\s*{re.escape(name)}\s*\)|(?<![\w.]){re.escape(name)}\s*<-", text)
    # only declared, and received from here: nothing can ever make it ready
    return closed is None and len(uses) <= len(assigns) + 1


def _loops(body: Node) -> list[Node]:
    """The `for` statements of a function body, outside nested func literals."""
    out: list[Node] = []

    def walk(n: Node) -> None:
        for c in n.named_children:
            if c.type == "func_literal":
                continue
            if c.type == "for_statement":
                out.append(c)
            walk(c)

    walk(body)
    return out


_TIMED_RANGE = re.compile(r"\.C$|\btime\.Tick\(")


def _forever_or_timed_range(f: SourceFile, loop: Node) -> bool:
    """`for {}` (no condition), or `for range ticker.C` / `for range time.Tick(d)` (also through
    a variable the enclosing code assigns one of those: `tick := time.Tick(d)`)."""
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return not any(c.type not in ("block", "comment") for c in loop.named_children)
    if clause.type == "for_clause":
        return clause.child_by_field_name("condition") is None
    right = clause.child_by_field_name("right")
    if right is None:
        return False
    text = f.text(right).strip()
    if _TIMED_RANGE.search(text):
        return True
    if right.type != "identifier":
        return False  # a work channel: the loop ends when it is closed
    scope = loop
    while scope.parent is not None and scope.type not in ("function_declaration", "method_declaration"):
        scope = scope.parent
    rx = rf"(?<![\w.]){re.escape(text)}\s*:?=\s*(time\.Tick\(|[\w.]+\.C\s*$)"
    return re.search(rx, f.text(scope), re.MULTILINE) is not None


def _breaks_out_of(brk: Node, loop: Node) -> bool:
    n = brk.parent
    while n is not None and n.id != loop.id:
        if n.type in ("for_statement", "select_statement", "expression_switch_statement", "type_switch_statement"):
            return False
        if n.type in _FUNCTIONS:
            return False
        n = n.parent
    return True
