"""Small value-flow facts about one expression, shared by the lifetime, loop-context and
retention checks: where a call's result goes, whether a statement only runs on an error path,
and which nodes of a scope call a given method on a variable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter

from linter.parsing import SourceFile

Node = tree_sitter.Node

_ERR_CHECK = re.compile(r"\b\w*(err|Err)\w*\s*!=\s*nil\b")
_TRANSPARENT = {"parenthesized_expression"}


@dataclass
class Use:
    """Where a value goes. `kind` is one of: var, discard, store, return, arg, receiver,
    composite, send, address, other."""

    kind: str
    node: Node | None = None  # the identifier (var/discard/store), the call (arg), the selector (receiver)
    index: int = 0  # argument index for `arg`


def _climb(node: Node) -> tuple[Node, Node | None]:
    child, parent = node, node.parent
    while parent is not None and parent.type in _TRANSPARENT:
        child, parent = parent, parent.parent
    return child, parent


def use_of(node: Node) -> Use:
    """How the value of expression `node` is used by its immediate context."""
    child, p = _climb(node)
    if p is None:
        return Use("other")
    t = p.type
    if t == "expression_list":
        gp = p.parent
        if gp is None:
            return Use("other")
        if gp.type == "return_statement":
            return Use("return")
        if gp.type in ("short_var_declaration", "assignment_statement"):
            right = gp.child_by_field_name("right")
            left = gp.child_by_field_name("left")
            if right is None or left is None or right.id != p.id:
                return Use("other")
            rights, lefts = right.named_children, left.named_children
            idx = next((i for i, n in enumerate(rights) if n.id == child.id), 0)
            target = lefts[idx] if len(lefts) == len(rights) else (lefts[0] if lefts else None)
            return _target_use(target)
        if gp.type == "var_spec":  # `var b T = v`: the value sits in an expression_list
            names = gp.children_by_field_name("name")
            idx = next((i for i, n in enumerate(p.named_children) if n.id == child.id), 0)
            return _target_use(names[idx] if idx < len(names) else (names[0] if names else None))
        return Use("other")
    if t == "var_spec":
        names = p.children_by_field_name("name")
        return _target_use(names[0] if names else None)
    if t == "return_statement":
        return Use("return")
    if t == "argument_list":
        call = p.parent
        idx = next((i for i, n in enumerate(p.named_children) if n.id == child.id), 0)
        return Use("arg", call, idx)
    if t == "selector_expression":
        return Use("receiver", p)
    if t in ("literal_element", "keyed_element", "literal_value", "composite_literal"):
        return Use("composite", p)
    if t == "send_statement":
        value = p.child_by_field_name("value")
        return Use("send") if value is not None and value.id == child.id else Use("other")
    if t == "unary_expression" and p.child_by_field_name("operator") is not None and p.child_by_field_name("operator").type == "&":  # type: ignore[union-attr]
        return Use("address", p)
    if t == "expression_statement":
        return Use("discard")
    return Use("other", p)


def _target_use(target: Node | None) -> Use:
    if target is None:
        return Use("other")
    if target.type == "identifier":
        if target.text == b"_":
            return Use("discard", target)
        return Use("var", target)
    return Use("store", target)  # s.client = ..., m[k] = ..., *p = ...


def on_error_path(f: SourceFile, node: Node, stop: Node) -> bool:
    """Is `node` inside the body of an `if ... err != nil {` (only runs when something failed)?"""
    child, n = node, f.parent(node)  # (f.parent: Node.parent costs the node's depth)
    while n is not None and n.id != stop.id:
        if n.type == "if_statement":
            cons = n.child_by_field_name("consequence")
            cond = n.child_by_field_name("condition")
            if cons is not None and cons.id == child.id and cond is not None and _ERR_CHECK.search(f.text(cond)):
                return True
        child, n = n, f.parent(n)
    return False


def method_calls(f: SourceFile, occurrences: list[Node], methods: set[str]) -> Iterator[Node]:
    """Calls `v.M(...)` with M in `methods`, for the given occurrences of `v`."""
    for occ in occurrences:
        sel = occ.parent
        if sel is None or sel.type != "selector_expression":
            continue
        operand = sel.child_by_field_name("operand")
        field = sel.child_by_field_name("field")
        if operand is None or operand.id != occ.id or field is None:
            continue
        call = sel.parent
        if call is None or call.type != "call_expression":
            continue
        if f.text(field) in methods:
            yield call


def within(node: Node, scope: Node) -> bool:
    return scope.start_byte <= node.start_byte and node.end_byte <= scope.end_byte


def callee_text(f: SourceFile, call: Node) -> str:
    fn = call.child_by_field_name("function")
    return f.text(fn) if fn is not None else ""
