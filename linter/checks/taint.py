"""`taint`: a value flowing into a sink derives from an unbounded source.

Backward from each expression bound to `into` (label values; for `prometheus.Labels{...}` the
element values, and a labels variable is followed to its literal and index assignments):

* `sanitizers` (rules) stop the search: route templates, `http.StatusText`, lookups in fixed maps;
* `sources` (rules) end it with a finding: `r.URL.Path`, `c.Param(...)`, IDs, `err.Error()`;
* propagation: local assignments (flow-insensitive), `+`, field/index/slice of a tainted value,
  method calls on a tainted value, calls matching `propagators` (fmt.Sprint*, strings.*,
  strconv.*, ...) with a tainted argument, and helpers declared in the same package -- their
  returns are analysed with parameters bound to the caller's arguments, and a sink's parameter
  is traced back to the helper's call sites.

A variable assigned only constants (e.g. by a `switch` mapping paths to names) stays clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tree_sitter

from linter.analysis.callgraph import CALLGRAPH, CallGraph
from linter.analysis.flow import callee_text
from linter.analysis.framework import Pass
from linter.analysis.functions import FUNCTIONS, PACKAGE_DECLS, FileFunctions, FuncInfo, PackageDecls
from linter.checks.base import RULE_LIST, STRING_LIST, Check, Verdict
from linter.patterns import Env

Node = tree_sitter.Node

_PASS_THROUGH = {"parenthesized_expression", "literal_element", "type_conversion_expression"}


@dataclass
class Frame:
    """Where an expression is evaluated: its file's pass, function, and bound parameters."""

    pass_: Pass
    fn: FuncInfo | None
    bindings: dict[str, tuple[Node, Frame]] = field(default_factory=dict)


class TaintCheck(Check):
    name = "taint"
    provides = ("VALUE", "SOURCE", "ORIGIN")
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["into", "sources"],
        "properties": {
            "into": {"type": "string"},
            "sources": RULE_LIST,
            "sanitizers": RULE_LIST,
            "propagators": STRING_LIST,
            "interprocedural": {"type": "boolean"},
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 8},
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        self.into = self.metavar("into")
        self.sources = self.rules("sources")
        self.sanitizers = self.rules("sanitizers")
        self.propagators = self.regexes(
            "propagators",
            [
                r"^fmt\.Sprint",
                r"^strings\.",
                r"^strconv\.",
                r"^path\.",
                r"^filepath\.",
                r"^url\.(Path|Query)(Un)?[Ee]scape$",
                r"^(string|\[\]byte)$",
            ],
        )
        self.interprocedural = params.get("interprocedural", True)
        self.max_depth = params.get("max-depth", 5)

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        assert self.into is not None
        value = env.get(self.into)
        items = value if isinstance(value, tuple) else ((value,) if isinstance(value, Node) else ())
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        frame = Frame(pass_, fns.enclosing(node))
        expanded: list[Node] = []
        for item in items:
            if item.type == "composite_literal" and item.child_by_field_name("body") is not None:
                expanded.extend(item.child_by_field_name("body").named_children)  # type: ignore[union-attr]
            else:
                expanded.append(item)
        for item in expanded:
            if item.type == "keyed_element":
                children = item.named_children
                item = children[-1] if children else item
            if item.type == "literal_element" and item.named_children:
                item = item.named_children[0]
            src = self.tainted(item, frame, 0, set())
            if src is not None:
                f = pass_.file
                value = _describe(f.text(item))
                origin = "" if value == src else f", derived from {src},"
                return Verdict(vars={"VALUE": value, "SOURCE": src, "ORIGIN": origin})
        return None

    # -- the search ----------------------------------------------------------------------------
    def tainted(self, expr: Node, fr: Frame, depth: int, seen: set[tuple[int, int]]) -> str | None:
        key = (id(fr.pass_.file), expr.id)
        if key in seen or depth > self.max_depth:
            return None
        seen.add(key)
        f = fr.pass_.file
        for s in self.sanitizers:
            if s.match(expr, {}, fr.pass_) is not None:
                return None
        for s in self.sources:
            if s.match(expr, {}, fr.pass_) is not None:
                return _describe(f.text(expr))
        t = expr.type
        if t in _PASS_THROUGH or t == "unary_expression":
            inner = expr.named_children[-1] if expr.named_children else None
            return self.tainted(inner, fr, depth, seen) if inner is not None else None
        if t == "identifier":
            return self._identifier(expr, fr, depth, seen)
        if t == "binary_expression":
            for side in ("left", "right"):
                n = expr.child_by_field_name(side)
                if n is not None:
                    r = self.tainted(n, fr, depth, seen)
                    if r:
                        return r
            return None
        if t in ("selector_expression", "slice_expression"):
            operand = expr.child_by_field_name("operand")
            return self.tainted(operand, fr, depth, seen) if operand is not None else None
        if t == "index_expression":
            operand = expr.child_by_field_name("operand")
            if operand is None or self._fixed_map(operand, fr):
                return None
            return self.tainted(operand, fr, depth, seen)
        if t == "call_expression":
            return self._call(expr, fr, depth, seen)
        if t in ("composite_literal", "literal_value", "keyed_element"):
            body = expr.child_by_field_name("body") if t == "composite_literal" else expr
            for el in body.named_children if body is not None else []:
                target = el.named_children[-1] if el.type == "keyed_element" and el.named_children else el
                r = self.tainted(target, fr, depth, seen)
                if r:
                    return r
        return None

    def _identifier(self, ident: Node, fr: Frame, depth: int, seen: set[tuple[int, int]]) -> str | None:
        f = fr.pass_.file
        name = f.text(ident)
        if name in fr.bindings:
            arg, caller = fr.bindings[name]
            return self.tainted(arg, caller, depth + 1, seen)
        fns: FileFunctions = fr.pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(ident) or fr.fn
        while fn is not None:
            facts = fns.facts(fn)
            if facts.declares(name):
                break
            fn = fns.enclosing(fn.node)
        if fn is None:
            return None
        facts = fns.facts(fn)
        for occ in facts.uses(name):
            for value in _values_assigned(occ):
                r = self.tainted(value, fr, depth, seen)
                if r:
                    return r
        idx = fn.param_index(name)
        if idx is not None and self.interprocedural and fn.name and not fr.bindings:
            graph: CallGraph = fr.pass_.result_of(CALLGRAPH)
            for site in graph.sites(fn):
                args = site.call.child_by_field_name("arguments")
                if args is None or idx >= len(args.named_children):
                    continue
                caller_pass = fr.pass_.file_pass(site.file)
                caller_fns: FileFunctions = caller_pass.result_of(FUNCTIONS)
                r = self.tainted(args.named_children[idx], Frame(caller_pass, caller_fns.enclosing(site.call)), depth + 1, seen)
                if r:
                    return r
        return None

    def _call(self, call: Node, fr: Frame, depth: int, seen: set[tuple[int, int]]) -> str | None:
        f = fr.pass_.file
        fn_node = call.child_by_field_name("function")
        args_node = call.child_by_field_name("arguments")
        args = args_node.named_children if args_node is not None else []
        callee = callee_text(f, call)
        if any(rx.search(callee) for rx in self.propagators):
            for a in args:
                r = self.tainted(a, fr, depth, seen)
                if r:
                    return r
            return None
        if fn_node is not None and fn_node.type == "selector_expression":
            operand = fn_node.child_by_field_name("operand")
            if operand is not None and operand.type != "identifier" or (operand is not None and not self._is_package(f.text(operand), fr)):
                r = self.tainted(operand, fr, depth, seen) if operand is not None else None
                if r:
                    return r
        if self.interprocedural and fn_node is not None and fn_node.type == "identifier":
            decls: PackageDecls = fr.pass_.result_of(PACKAGE_DECLS)
            for target in decls.functions_named(f.text(fn_node)):
                bindings = {p: (a, fr) for (p, _), a in zip(target.params, args, strict=False)}
                tpass = fr.pass_.file_pass(target.file)
                inner = Frame(tpass, target, bindings)
                for ret in _returns(target):
                    r = self.tainted(ret, inner, depth + 1, seen)
                    if r:
                        return r
        return None

    def _is_package(self, name: str, fr: Frame) -> bool:
        """`strings` in `strings.ToLower(x)` is an import, not a value that could be tainted."""
        fns: FileFunctions = fr.pass_.result_of(FUNCTIONS)
        fn = fr.fn
        while fn is not None:
            if fns.facts(fn).declares(name):
                return False
            fn = fns.enclosing(fn.node)
        return True

    def _fixed_map(self, operand: Node, fr: Frame) -> bool:
        f = fr.pass_.file
        if operand.type == "composite_literal":
            return True
        if operand.type != "identifier":
            return False
        decls: PackageDecls = fr.pass_.result_of(PACKAGE_DECLS)
        name = f.text(operand)
        if decls.is_map_literal(name):
            return True
        fns: FileFunctions = fr.pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(operand)
        if fn is None:
            return False
        values = fns.facts(fn).assignments(name)
        return bool(values) and all(v.type == "composite_literal" and f.text(v).startswith("map[") for v in values)


def _values_assigned(occ: Node) -> list[Node]:
    """Expressions assigned to this occurrence: `x := e`, `x = e`, `x += e`, `var x = e`,
    `for _, x := range e`, and `x[k] = e` (a map of labels filled in place)."""
    from linter.analysis.functions import assigned_value

    p = occ.parent
    if p is None:
        return []
    v = assigned_value(occ)
    if v is not None:
        return [v]
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "range_clause":
        right = p.parent.child_by_field_name("right")
        return [right] if right is not None else []
    if p.type == "index_expression" and p.parent is not None and p.parent.type == "expression_list":
        operand = p.child_by_field_name("operand")
        if operand is not None and operand.id == occ.id:
            v = assigned_value(p)
            return [v] if v is not None else []
    return []


def _returns(fn: FuncInfo) -> list[Node]:
    from linter.parsing import query

    out: list[Node] = []
    body = fn.body
    if body is None:
        return out
    q = query("(return_statement (expression_list) @e)")
    for el in tree_sitter.QueryCursor(q).captures(body).get("e", []):
        # only returns of this function, not of nested literals
        n = el.parent
        while n is not None and n.type not in ("func_literal", "function_declaration", "method_declaration"):
            n = n.parent
        if n is not None and n.id == fn.node.id:
            out.extend(el.named_children)
    return out


def _describe(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
