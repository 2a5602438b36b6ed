"""`taint`: a value flowing into a sink derives from an unbounded source.

Backward from each expression bound to `into` (label values; for `prometheus.Labels{...}` the
element values, and a labels variable is followed to its literal and index assignments):

* `sanitizers` (rules) stop the search: route templates, `http.StatusText`, lookups in fixed maps;
* `sources` (rules) end it with a finding: `r.URL.Path`, `c.Param(...)`, IDs, `err.Error()`;
* propagation: local assignments (flow-insensitive), `+`, field/index/slice of a tainted value,
  method calls on a tainted value, calls matching `propagators` (fmt.Sprint*, strings.*,
  strconv.*, ...) with a tainted argument, keys and values stored into a map (`m[k] = v`, then
  `range m`), and helpers -- functions of the same package, methods on the caller's own
  receiver, and exported functions of another package of the same module (`util.ClientIP(r)`):
  their returns are analysed with parameters bound to the caller's arguments, and a sink's
  parameter is traced back to the helper's call sites.
* a field of a struct literal (`res := Result{ID: id, Status: s}; res.Status`) is only the
  value stored under that key, not the whole literal.
* `cleanup`: a sink whose vector is pruned somewhere in its package (`vec.DeleteLabelValues`,
  `vec.DeletePartialMatch`, `vec.Reset()`...), found by the vector's name, is not a leak.

A variable assigned only constants (e.g. by a `switch` mapping paths to names) stays clean.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tree_sitter

from linter.analysis.callgraph import CALLGRAPH, CallGraph
from linter.analysis.flow import callee_text
from linter.analysis.framework import Package, PackagePass, Pass, package_work
from linter.analysis.functions import FUNCTIONS, PACKAGE_DECLS, FileFunctions, FuncInfo, PackageDecls, is_declaration, name_occurrences
from linter.cache import depends_on, directory_signature
from linter.checks.base import RULE_LIST, STRING_LIST, Check, CheckConfigError, Verdict
from linter.parsing import captures, package_name, query
from linter.patterns import Env
from linter.safeio import read_head

Node = tree_sitter.Node

_PASS_THROUGH = {"parenthesized_expression", "literal_element", "type_conversion_expression", "variadic_argument"}
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_UNKNOWN = object()


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
            "bounded-types": STRING_LIST,
            "interprocedural": {"type": "boolean"},
            "module-calls": {"type": "boolean"},
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 8},
            "guards": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"not-guards": STRING_LIST},
            },
            "cleanup": {
                "type": "object",
                "additionalProperties": False,
                "required": ["vector", "methods"],
                "properties": {
                    "vector": {"type": "string"},
                    "methods": STRING_LIST,
                    "calls": STRING_LIST,
                    "through": STRING_LIST,
                },
            },
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
        self.bounded_types = self.regexes("bounded-types", [])
        self.interprocedural = params.get("interprocedural", True)
        self.module_calls = params.get("module-calls", True)
        self.max_depth = params.get("max-depth", 5)
        guards = params.get("guards")
        self.guards = guards is not None
        self.not_guards = [re.compile(rx) for rx in (guards or {}).get("not-guards", [])]
        cleanup = params.get("cleanup")
        self.cleanup_vector: str | None = None
        self.cleanup_methods: list[str] = []
        self.cleanup_calls: list[str] = []
        self.cleanup_through: set[str] = set()
        if cleanup is not None:
            self.cleanup_vector = str(cleanup["vector"]).lstrip("$")
            if self.cleanup_vector not in metavars:
                raise CheckConfigError(f"cleanup.vector: ${self.cleanup_vector} is not bound by the rule's patterns", ["cleanup", "vector"])
            for key in ("methods", "calls", "through"):
                for i, m in enumerate(cleanup.get(key, [])):
                    if not _NAME.match(m):
                        raise CheckConfigError(f"cleanup.{key}[{i}]: {m!r} is not a Go name", ["cleanup", key, i])
            self.cleanup_methods = list(cleanup["methods"])
            self.cleanup_calls = list(cleanup.get("calls", []))
            self.cleanup_through = set(cleanup.get("through", []))

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
                if self.cleanup_vector is not None and self._cleaned(env.get(self.cleanup_vector), pass_):
                    return None
                f = pass_.file
                value = _describe(f.text(item))
                origin = "" if value == src else f", derived from {src},"
                return Verdict(vars={"VALUE": value, "SOURCE": src, "ORIGIN": origin})
        return None

    # -- the search ----------------------------------------------------------------------------
    def tainted(self, expr: Node, fr: Frame, depth: int, seen: set[Any], want: str | None = None, nth: int | None = None) -> str | None:
        """The source `expr` derives from, or None. `want`: only field `want` of the value
        matters (a selector's operand), so a struct literal contributes only that key; "()m":
        only what method m returns. `nth`: of a call, only its nth result (`a, b := f()`)."""
        key = (id(fr.pass_.file), expr.id, want, nth)
        if key in seen or depth > self.max_depth:
            return None
        seen.add(key)
        f = fr.pass_.file
        for s in self.sanitizers:
            if s.match(expr, {}, fr.pass_) is not None:
                return None
        t = expr.type
        if self.guards and t in _GUARDABLE and self._guarded(expr, fr):
            return None
        for s in self.sources:
            if s.match(expr, {}, fr.pass_) is not None:
                return _describe(f.text(expr))
        if t in _PASS_THROUGH or t == "unary_expression":
            inner = expr.named_children[-1] if expr.named_children else None
            keep = want if t != "type_conversion_expression" else None
            return self.tainted(inner, fr, depth, seen, keep) if inner is not None else None
        if t == "identifier":
            return self._identifier(expr, fr, depth, seen, want)
        if t == "binary_expression":
            for side in ("left", "right"):
                n = expr.child_by_field_name(side)
                if n is not None:
                    r = self.tainted(n, fr, depth, seen)
                    if r:
                        return r
            return None
        if t == "selector_expression":
            operand = expr.child_by_field_name("operand")
            fld = expr.child_by_field_name("field")
            if operand is None:
                return None
            return self.tainted(operand, fr, depth, seen, f.text(fld) if fld is not None else None)
        if t == "slice_expression":
            operand = expr.child_by_field_name("operand")
            return self.tainted(operand, fr, depth, seen) if operand is not None else None
        if t == "index_expression":
            operand = expr.child_by_field_name("operand")
            if operand is None or self._fixed_map(operand, fr):
                return None
            return self.tainted(operand, fr, depth, seen)
        if t == "call_expression":
            return self._call(expr, fr, depth, seen, want, nth)
        if t in ("composite_literal", "literal_value", "keyed_element"):
            if t == "composite_literal" and want is not None and want.startswith("()"):
                got = self._literal_method(expr, want[2:], fr, depth, seen)
                if got is not _UNKNOWN:
                    return got  # type: ignore[return-value]
                want = None
            body = expr.child_by_field_name("body") if t == "composite_literal" else expr
            elements = body.named_children if body is not None else []
            keyed = want is not None and bool(elements) and all(el.type == "keyed_element" for el in elements)
            for el in elements:
                if el.type == "comment":
                    continue
                if keyed and el.named_children and f.text(el.named_children[0]) != want:
                    continue  # another field of the struct
                target = el.named_children[-1] if el.type == "keyed_element" and el.named_children else el
                r = self.tainted(target, fr, depth, seen)
                if r:
                    return r
        return None

    def _identifier(self, ident: Node, fr: Frame, depth: int, seen: set[Any], want: str | None, nth: int | None = None) -> str | None:
        f = fr.pass_.file
        name = f.text(ident)
        decl = _declaration(ident, f)
        if decl is None:
            return None  # a package-level name, or not a variable at all
        fns: FileFunctions = fr.pass_.result_of(FUNCTIONS)
        owner = _param_owner(decl)
        if owner is not None:
            if name in fr.bindings and fr.fn is not None and owner.id == fr.fn.node.id:
                arg, caller = fr.bindings[name]
                return self.tainted(arg, caller, depth + 1, seen, want, nth)
            fn: FuncInfo | None = fns.info(owner)
        else:
            fn = fns.enclosing(decl)
        if fn is None:
            return None
        facts = fns.facts(fn)
        for occ in facts.uses(name):
            if occ.id != decl.id:
                d = _declaration(occ, f)
                if d is None or d.id != decl.id:
                    continue  # another variable of that name (`if m, ok := table[m]; ok`)
            for value, at in _values_assigned(occ, f, want):
                r = self.tainted(value, fr, depth, seen, want, at)
                if r:
                    return r
        idx = fn.param_index(name) if owner is not None else None
        if idx is not None and self.interprocedural and fn.name and not fr.bindings:
            graph: CallGraph = fr.pass_.result_of(CALLGRAPH)
            for site in graph.sites(fn):
                args = site.call.child_by_field_name("arguments")
                if args is None or idx >= len(args.named_children):
                    continue
                caller_pass = fr.pass_.file_pass(site.file)
                caller_fns: FileFunctions = caller_pass.result_of(FUNCTIONS)
                r = self.tainted(args.named_children[idx], Frame(caller_pass, caller_fns.enclosing(site.call)), depth + 1, seen, want)
                if r:
                    return r
        return None

    def _call(self, call: Node, fr: Frame, depth: int, seen: set[Any], want: str | None, nth: int | None = None) -> str | None:
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
        if fn_node is None:
            return None
        targets: list[tuple[FuncInfo, Package | None]] = []
        if fn_node.type == "selector_expression":
            operand = fn_node.child_by_field_name("operand")
            method = fn_node.child_by_field_name("field")
            if operand is None or method is None:
                return None
            oname = f.text(operand) if operand.type == "identifier" else None
            if oname is None or not self._is_package(oname, fr):
                # the receiver matters through what the method returns: a struct literal of a
                # type declared here answers with that method (`Frame{ID: id}.Kind()` is no ID)
                r = self.tainted(operand, fr, depth, seen, "()" + f.text(method))
                if r:
                    return r
                if self.interprocedural and oname is not None:
                    targets = [(t, None) for t in self._own_methods(oname, f.text(method), operand, fr)]
            elif self.interprocedural and self.module_calls and f.text(method)[:1].isupper():
                pkg = _imported_package(fr.pass_, oname)
                if pkg is not None:
                    with package_work(f"declarations of the imported package {oname}"):
                        decls: PackageDecls = PackagePass(pkg).result_of(PACKAGE_DECLS)
                        targets = [(t, pkg) for t in decls.functions_named(f.text(method))]
        elif self.interprocedural and fn_node.type == "identifier":
            decls = fr.pass_.result_of(PACKAGE_DECLS)
            targets = [(t, None) for t in decls.functions_named(f.text(fn_node))]
        for target, pkg in targets:
            if target.results and any(rx.search(target.results[0][1]) for rx in self.bounded_types):
                continue  # a bool (or another bounded type) result says nothing unbounded
            bindings = {p: (a, fr) for (p, _), a in zip(target.params, args, strict=False)}
            tpass = pkg.pass_for(target.file) if pkg is not None else fr.pass_.file_pass(target.file)
            inner = Frame(tpass, target, bindings)
            for values in _returns(target, nth):
                if nth is not None and len(values) > 1:
                    values = values[nth : nth + 1]  # `a, b := f()` and we follow b
                for ret in values:
                    forwarded = nth if len(values) == 1 and ret.type == "call_expression" else None  # `return g()`
                    r = self.tainted(ret, inner, depth + 1, seen, want, forwarded)
                    if r:
                        return r
        return None

    def _literal_method(self, lit: Node, method: str, fr: Frame, depth: int, seen: set[Any]) -> str | None | object:
        """`T{...}.method()`, T declared in this package: what the method returns, with its
        receiver bound to the literal; _UNKNOWN when T or the method is not found here."""
        f = fr.pass_.file
        tnode = lit.child_by_field_name("type")
        if tnode is None or tnode.type not in ("type_identifier", "generic_type"):
            return _UNKNOWN
        tname = f.text(tnode).split("[")[0]
        decls: PackageDecls = fr.pass_.result_of(PACKAGE_DECLS)
        targets = [m for m in decls.methods_named(method) if m.receiver_type == tname]
        if not targets:
            return _UNKNOWN
        for target in targets:
            bindings = {target.receiver: (lit, fr)} if target.receiver else {}
            inner = Frame(fr.pass_.file_pass(target.file), target, bindings)
            for values in _returns(target):
                for ret in values:
                    r = self.tainted(ret, inner, depth + 1, seen)
                    if r:
                        return r
        return None

    def _own_methods(self, recv: str, method: str, operand: Node, fr: Frame) -> list[FuncInfo]:
        """`s.helper(...)` where `s` is the enclosing method's own receiver: that type's method."""
        fns: FileFunctions = fr.pass_.result_of(FUNCTIONS)
        outer = fns.outermost(operand)
        if outer is None or outer.receiver != recv or not outer.receiver_type:
            return []
        decls: PackageDecls = fr.pass_.result_of(PACKAGE_DECLS)
        return [m for m in decls.methods_named(method) if m.receiver_type == outer.receiver_type]

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

    # -- guards: a check that the value is one of a known set ------------------------------------
    def _guarded(self, expr: Node, fr: Frame) -> bool:
        """Is `expr` used where a check on the same value let only known values by: the `then`
        branch of `if allowed(x)` / `if _, ok := known[x]; ok` / `if x == "a" || x == "b"`, the
        `else` of the negation, the rest of a block after `if !allowed(x) { return }`, a
        `case "a", "b":` of `switch x`?"""
        f = fr.pass_.file
        text = _norm(f.text(expr))
        child, n = expr, f.parent(expr)  # (f.parent: Node.parent costs the node's depth)
        while n is not None and n.type not in _FUNCTION_NODES:
            t = n.type
            if t == "if_statement":
                cond = n.child_by_field_name("condition")
                init = n.child_by_field_name("initializer")
                then, other = n.child_by_field_name("consequence"), n.child_by_field_name("alternative")
                if cond is not None and then is not None and child.id == then.id and self._holds(cond, init, text, fr):
                    return True
                if cond is not None and other is not None and child.id == other.id and self._fails(cond, init, text, fr):
                    return True
            elif t == "statement_list":
                for stmt in n.named_children:
                    if stmt.start_byte >= child.start_byte:
                        break
                    if stmt.type == "if_statement" and stmt.child_by_field_name("alternative") is None and _exits(stmt):
                        cond = stmt.child_by_field_name("condition")
                        if cond is not None and self._fails(cond, stmt.child_by_field_name("initializer"), text, fr):
                            return True
                    if stmt.type == "if_statement" and stmt.child_by_field_name("alternative") is None:
                        # `if _, ok := known[m]; !ok { m = "OTHER" }`: known, or replaced by a constant
                        cond = stmt.child_by_field_name("condition")
                        then = stmt.child_by_field_name("consequence")
                        if (
                            cond is not None
                            and then is not None
                            and self._reassigns_constant(then, text, fr)
                            and self._fails(cond, stmt.child_by_field_name("initializer"), text, fr)
                        ):
                            return True
                    if stmt.type == "expression_switch_statement" and self._switch_normalizes(stmt, text, fr):
                        return True  # `switch p { case "a", "b": default: p = "other" }`
            elif t == "expression_case":
                sw = f.parent(n)
                subject = sw.child_by_field_name("value") if sw is not None and sw.type == "expression_switch_statement" else None
                values = n.child_by_field_name("value")
                if subject is not None and values is not None and _norm(f.text(subject)) == text:
                    if all(self._constant(v, fr) for v in values.named_children):
                        return True
            child, n = n, f.parent(n)
        return False

    def _reassigns_constant(self, block: Node, text: str, fr: Frame) -> bool:
        """Does `block` assign a constant to the value spelled `text` (`m = "OTHER"`)?"""
        f = fr.pass_.file
        stmts = [c for c in block.named_children if c.type == "statement_list"]
        for stmt in stmts[0].named_children if stmts else block.named_children:
            if stmt.type != "assignment_statement":
                continue
            left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
            if left is None or right is None or len(left.named_children) != 1 or len(right.named_children) != 1:
                continue
            if _norm(f.text(left.named_children[0])) == text and self._constant(right.named_children[0], fr):
                return True
        return False

    def _switch_normalizes(self, sw: Node, text: str, fr: Frame) -> bool:
        """`switch x { case "a", "b": ...; default: x = "other" }`: after it, x is one of a few."""
        f = fr.pass_.file
        subject = sw.child_by_field_name("value")
        if subject is None or _norm(f.text(subject)) != text:
            return False
        has_default = False
        for case in sw.named_children:
            if case.type == "default_case":
                if not self._reassigns_constant(case, text, fr):
                    return False
                has_default = True
            elif case.type == "expression_case":
                values = case.child_by_field_name("value")
                if values is None or not all(self._constant(v, fr) for v in values.named_children):
                    return False
        return has_default

    def _holds(self, cond: Node, init: Node | None, text: str, fr: Frame) -> bool:
        """Does `cond` being true say the value spelled `text` is in a known set?"""
        cond = _unparen(cond)
        op = _operator(cond)
        if op == "&&":
            return any(self._holds(cond.child_by_field_name(s), init, text, fr) for s in ("left", "right"))  # type: ignore[arg-type]
        if op == "||":
            return all(self._holds(cond.child_by_field_name(s), init, text, fr) for s in ("left", "right"))  # type: ignore[arg-type]
        if op == "==":
            return self._compared(cond, text, fr)
        return self._membership(cond, init, text, fr)

    def _fails(self, cond: Node, init: Node | None, text: str, fr: Frame) -> bool:
        """Does `cond` being false say the value spelled `text` is in a known set?"""
        cond = _unparen(cond)
        op = _operator(cond)
        if op == "||":
            return any(self._fails(cond.child_by_field_name(s), init, text, fr) for s in ("left", "right"))  # type: ignore[arg-type]
        if op == "&&":
            return all(self._fails(cond.child_by_field_name(s), init, text, fr) for s in ("left", "right"))  # type: ignore[arg-type]
        if op == "!=":
            return self._compared(cond, text, fr)
        if cond.type == "unary_expression" and cond.children and cond.children[0].type == "!":
            inner = cond.child_by_field_name("operand")
            return inner is not None and self._holds(inner, init, text, fr)
        return False

    def _compared(self, cond: Node, text: str, fr: Frame) -> bool:
        """`x == "a"`, `x != http.MethodGet`: the value against a constant."""
        f = fr.pass_.file
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if left is None or right is None:
            return False
        if _norm(f.text(left)) == text:
            return self._constant(right, fr)
        if _norm(f.text(right)) == text:
            return self._constant(left, fr)
        return False

    def _membership(self, cond: Node, init: Node | None, text: str, fr: Frame) -> bool:
        """`allowed(x)`, `set.Has(x)`, `known[x]`, and `ok` of `_, ok := known[x]`."""
        f = fr.pass_.file
        if cond.type == "call_expression":
            callee = callee_text(f, cond)
            if any(rx.search(callee) for rx in self.propagators) or any(rx.search(callee) for rx in self.not_guards):
                return False  # `strings.HasPrefix(p, "/api")`, `utf8.ValidString(v)`: the form, not the value
            args = cond.child_by_field_name("arguments")
            return args is not None and any(_norm(f.text(a)) == text for a in args.named_children)
        if cond.type == "index_expression":
            index = cond.child_by_field_name("index")
            return index is not None and _norm(f.text(index)) == text
        if cond.type == "identifier" and init is not None and init.type == "short_var_declaration":
            name = f.text(cond)
            left, right = init.child_by_field_name("left"), init.child_by_field_name("right")
            if left is None or right is None or len(right.named_children) != 1:
                return False
            names = [f.text(c) for c in left.named_children]
            value = _unparen(right.named_children[0])
            if name not in names:
                return False
            if value.type == "index_expression" and len(names) == 2 and names[1] == name:
                return self._membership(value, None, text, fr)  # `_, ok := known[x]; ok`
            if len(names) == 1:
                return self._membership(value, None, text, fr)  # `ok := allowed(x); ok`
        return False

    def _constant(self, node: Node, fr: Frame) -> bool:
        """A literal, or a name declared outside any function (`http.MethodGet`, `methodGet`)."""
        node = _unparen(node)
        if node.type in _LITERALS:
            return True
        if node.type == "identifier":
            return _declaration(node, fr.pass_.file) is None
        if node.type == "selector_expression":
            operand = node.child_by_field_name("operand")
            return operand is not None and operand.type == "identifier" and self._is_package(fr.pass_.file.text(operand), fr)
        return False

    # -- cleanup of the sink's vector ------------------------------------------------------------
    def _cleaned(self, vec: Any, pass_: Pass) -> bool:
        """Is the sink's vector (by its name: `requests`, `m.requests`) pruned anywhere in its
        package, or in the imported package that declares it (`metrics.Requests`)?"""
        if not isinstance(vec, Node):
            return False
        f = pass_.file
        n: Node | None = vec
        while n is not None and n.type in ("call_expression", "parenthesized_expression"):
            if n.type == "parenthesized_expression":
                n = n.named_children[0] if n.named_children else None
                continue
            fn = n.child_by_field_name("function")
            fld = fn.child_by_field_name("field") if fn is not None and fn.type == "selector_expression" else None
            if fn is None or fld is None or f.text(fld) not in self.cleanup_through:
                return False  # a vector returned by some call: no name to look for
            n = fn.child_by_field_name("operand")
        if n is None:
            return False
        packages = [pass_.package]
        if n.type == "identifier":
            name = f.text(n)
        elif n.type == "selector_expression":
            fld = n.child_by_field_name("field")
            operand = n.child_by_field_name("operand")
            if fld is None or operand is None:
                return False
            name = f.text(fld)
            if operand.type == "identifier":
                fns: FileFunctions = pass_.result_of(FUNCTIONS)
                if self._is_package(f.text(operand), Frame(pass_, fns.enclosing(n))):
                    other = _imported_package(pass_, f.text(operand))
                    if other is not None:
                        packages.append(other)
        else:
            return False
        with package_work(f"cleanup calls of {name} in the package"):
            for pkg in packages:
                for shape in self._cleanup_shapes():
                    if any(not o.path.endswith("_test.go") for o, _ in name_occurrences(pkg, name, shape)):
                        return True
        return False

    def _cleanup_shapes(self) -> list[bytes]:
        shapes = []
        if self.cleanup_methods:
            methods = "|".join(self.cleanup_methods).encode()
            shapes.append(rb"({})(?<!\w{})\s*\.\s*(?:" + methods + rb")\s*\(")
        if self.cleanup_calls:
            calls = "|".join(self.cleanup_calls).encode()
            shapes.append(rb"(?:" + calls + rb")\s*\(\s*&?(?:\w+\.)*({})(?<!\w{})\s*[,)]")
        return shapes


def _values_assigned(occ: Node, f: Any = None, want: str | None = None) -> list[tuple[Node, int | None]]:
    """Expressions assigned to this occurrence: `x := e`, `x = e`, `x += e`, `var x = e`,
    `for _, x := range e`, `x[k] = e` and `x[k]++` (a map filled in place: its keys and values),
    and, when only field `want` of `x` matters, `x.want = e`. With each, which result of a
    multi-value call it is (`a, x := f()`: 1), else None."""
    from linter.analysis.functions import assigned_value

    p = occ.parent
    if p is None:
        return []
    v = assigned_value(occ)
    if v is not None:
        return [(v, _result_index(occ, p, v))]
    if p.type == "expression_list" and p.parent is not None and p.parent.type == "range_clause":
        right = p.parent.child_by_field_name("right")
        return [(right, None)] if right is not None else []
    if p.type == "index_expression" and p.parent is not None:
        operand = p.child_by_field_name("operand")
        index = p.child_by_field_name("index")
        if operand is None or operand.id != occ.id:
            return []
        keys: list[tuple[Node, int | None]] = [(index, None)] if index is not None else []
        if p.parent.type == "expression_list":
            v = assigned_value(p)
            return [(v, None), *keys] if v is not None else []
        if p.parent.type in ("inc_statement", "dec_statement"):
            return keys
    store = p.type == "selector_expression" and p.parent is not None and p.parent.type == "expression_list"
    if want is not None and f is not None and store:
        fld = p.child_by_field_name("field")
        if fld is not None and f.text(fld) == want:
            v = assigned_value(p)
            return [(v, None)] if v is not None else []
    return []


def _result_index(occ: Node, p: Node, value: Node) -> int | None:
    """`a, b := f()`: the position of `occ` among the names, when one call gives them all."""
    if value.type != "call_expression" or p.type != "expression_list":
        return None
    lefts = p.named_children
    if len(lefts) < 2:
        return None
    right = p.parent.child_by_field_name("right") if p.parent is not None else None
    if right is None or len(right.named_children) != 1:
        return None
    return next((i for i, n in enumerate(lefts) if n.id == occ.id), None)


def _returns(fn: FuncInfo, nth: int | None = None) -> list[list[Node]]:
    """The values of each `return` of `fn` (not of nested literals), one list per statement;
    with named results, the result variables themselves (what a bare `return` returns; only
    the nth when a caller follows one result)."""
    out: list[list[Node]] = []
    body = fn.body
    if body is None:
        return out
    q = query("(return_statement (expression_list) @e)")
    for el in captures(q, body).get("e", []):
        # only returns of this function, not of nested literals
        n = fn.file.parent(el)  # (Node.parent costs the node's depth: see Ancestry)
        while n is not None and n.type not in ("func_literal", "function_declaration", "method_declaration"):
            n = fn.file.parent(n)
        if n is not None and n.id == fn.node.id:
            out.append([c for c in el.named_children if c.type != "comment"])
    result = fn.node.child_by_field_name("result")
    if result is not None and result.type == "parameter_list":
        names = [n for decl in result.named_children if decl.type == "parameter_declaration" for n in decl.children_by_field_name("name")]
        if names and fn.file.text(names[0]) != "_":
            out.append(names if nth is None or nth >= len(names) else [names[nth]])
    return out


# -- scopes: which declaration a name refers to ------------------------------------------------
_FUNCTION_NODES = ("function_declaration", "method_declaration", "func_literal")
_HEADER_SCOPES = ("if_statement", "expression_switch_statement", "type_switch_statement")


def _declaration(ident: Node, f: Any) -> Node | None:
    """The identifier that declares the variable `ident` refers to, by Go's block scoping: a
    local (`:=`, `var`, a range or if/for/switch header, a type switch's alias, a select's
    receive) or a parameter, receiver or result name; None when no enclosing function declares
    it (a package-level name). A `:=` redeclaring a name in the same block is the first one."""
    name = f.text(ident)
    if is_declaration(ident):
        stmt = ident.parent.parent if ident.parent is not None else None
        if stmt is None or stmt.type != "short_var_declaration" or stmt.parent is None or stmt.parent.type != "statement_list":
            return ident
        for prev in stmt.parent.named_children:  # `x, err := g()` after `x := f()`: the same x
            if prev.start_byte >= stmt.start_byte:
                break
            d = _declared_in(prev, name, f)
            if d is not None:
                return d
        return ident
    pos = ident.start_byte
    child, n = ident, f.parent(ident)  # (f.parent: Node.parent costs the node's depth)
    while n is not None:
        t = n.type
        if t == "statement_list":
            for stmt in n.named_children:
                if stmt.start_byte >= child.start_byte:
                    break
                d = _declared_in(stmt, name, f)
                if d is not None:
                    return d
        elif t in _HEADER_SCOPES:
            init = n.child_by_field_name("initializer")
            if init is not None and init.end_byte <= pos:
                d = _declared_in(init, name, f)
                if d is not None:
                    return d
            alias = n.child_by_field_name("alias") if t == "type_switch_statement" else None
            value = n.child_by_field_name("value") if alias is not None else None
            if alias is not None and value is not None and pos >= value.end_byte:
                d = next((a for a in alias.named_children if f.text(a) == name), None)
                if d is not None:
                    return d
        elif t == "for_statement":
            for c in n.named_children:
                if c.type == "for_clause":
                    init = c.child_by_field_name("initializer")
                    if init is not None and init.end_byte <= pos:
                        d = _declared_in(init, name, f)
                        if d is not None:
                            return d
                elif c.type == "range_clause" and c.end_byte <= pos:
                    d = _declared_in(c, name, f)
                    if d is not None:
                        return d
        elif t == "communication_case":
            comm = n.child_by_field_name("communication")
            if comm is not None and comm.end_byte <= pos:
                d = _declared_in(comm, name, f)
                if d is not None:
                    return d
        elif t in _FUNCTION_NODES:
            for fld in ("receiver", "parameters", "result"):
                plist = n.child_by_field_name(fld)
                if plist is None or plist.type != "parameter_list":
                    continue
                for decl in plist.named_children:
                    for pn in decl.children_by_field_name("name"):
                        if f.text(pn) == name:
                            return pn
        child, n = n, f.parent(n)
    return None


def _declared_in(stmt: Node, name: str, f: Any) -> Node | None:
    """The identifier declaring `name` in this statement (`name, err := ...`, `var name T`,
    `for _, name := range ...`, `case name := <-ch:`), if it declares it."""
    t = stmt.type
    if t in ("short_var_declaration", "range_clause", "receive_statement"):
        if t != "short_var_declaration" and not any(c.type == ":=" for c in stmt.children):
            return None
        left = stmt.child_by_field_name("left")
        if left is None:
            return None
        return next((c for c in left.named_children if c.type == "identifier" and f.text(c) == name), None)
    if t in ("var_declaration", "const_declaration"):
        specs = [c for c in stmt.named_children if c.type in ("var_spec", "const_spec")]
        for c in stmt.named_children:
            if c.type in ("var_spec_list", "const_spec_list"):
                specs.extend(s for s in c.named_children if s.type in ("var_spec", "const_spec"))
        for spec in specs:
            for pn in spec.children_by_field_name("name"):
                if f.text(pn) == name:
                    return pn
    return None


def _param_owner(decl: Node) -> Node | None:
    """The function whose parameter, receiver or result `decl` names, else None."""
    p = decl.parent
    if p is None or p.type not in ("parameter_declaration", "variadic_parameter_declaration"):
        return None
    plist = p.parent
    fn = plist.parent if plist is not None else None
    return fn if fn is not None and fn.type in _FUNCTION_NODES else None


_GUARDABLE = ("identifier", "selector_expression", "call_expression", "index_expression")
_LITERALS = ("interpreted_string_literal", "raw_string_literal", "int_literal", "rune_literal", "float_literal", "true", "false", "nil")
_EXITS = ("return_statement", "continue_statement", "break_statement", "goto_statement")


def _norm(text: str) -> str:
    return "".join(text.split())


def _unparen(n: Node) -> Node:
    while n.type == "parenthesized_expression" and n.named_children:
        n = n.named_children[0]
    return n


def _operator(n: Node) -> str | None:
    if n.type != "binary_expression":
        return None
    op = n.child_by_field_name("operator")
    return op.type if op is not None else None


def _exits(ifs: Node) -> bool:
    """Does the `then` block of this `if` leave the enclosing block (`return`, `continue`...)?"""
    then = ifs.child_by_field_name("consequence")
    stmts = then.named_children if then is not None else []
    if stmts and stmts[-1].type == "statement_list":
        stmts = stmts[-1].named_children
    stmts = [c for c in stmts if c.type != "comment"]
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in _EXITS:
        return True
    if last.type == "expression_statement" and last.named_children and last.named_children[0].type == "call_expression":
        fn = last.named_children[0].child_by_field_name("function")
        return fn is not None and fn.type == "identifier" and fn.text == b"panic"
    return False


def _describe(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


# -- other packages of the same module -----------------------------------------------------------
_MODULE_LINE = re.compile(rb"^module\s+(\S+)", re.MULTILINE)
_PACKAGES: OrderedDict[str, tuple[Any, Package | None]] = OrderedDict()
_MAX_PACKAGES = 64


@lru_cache(maxsize=1024)
def _module(directory: str) -> tuple[str, str] | None:
    """(root directory, module path) of the nearest go.mod at or above `directory`."""
    from linter.roots import module_root

    d = module_root(directory or ".")
    if d is None:
        return None
    try:
        m = _MODULE_LINE.search(read_head(os.path.join(d, "go.mod"), 65536))
    except OSError:
        return None
    return (d, m.group(1).decode().strip('"')) if m else None


def _package_at(directory: str) -> Package | None:
    """A Package for another directory of the module (kept for a few lookups: an LRU, whose
    entry is dropped when a file of the directory changed since: a long-lived process, or two
    runs in one, never answers from an old text)."""
    sig = directory_signature(directory)
    got = _PACKAGES.get(directory)
    if got is not None and got[0] == sig:
        _PACKAGES.move_to_end(directory)
        return got[1]
    pkg: Package | None = None
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".go") and not n.endswith("_test.go"))
    except OSError:
        names = []
    for n in names:
        try:
            name = package_name(read_head(os.path.join(directory, n), 8192))
        except OSError:
            continue
        if name:
            pkg = Package(directory, name)
            break
    _PACKAGES[directory] = (sig, pkg)
    _PACKAGES.move_to_end(directory)
    if len(_PACKAGES) > _MAX_PACKAGES:
        _PACKAGES.popitem(last=False)
    return pkg


_IMPORT = "(import_spec) @s"


def _imported_package(pass_: Pass, alias: str) -> Package | None:
    """The package that `alias` names in this file's imports, when it belongs to the same module
    (its directory is under the module root); None for the standard library and dependencies."""
    f = pass_.file
    memo_key = ("taint-imports", f.path)
    imports: dict[str, list[str]] | None = pass_.package.memo.get(memo_key)
    if imports is None:
        imports = {}
        mod = _module(os.path.dirname(f.path))
        if mod is not None:
            root, path = mod
            for spec in captures(query(_IMPORT), f.root).get("s", []):
                pnode = spec.child_by_field_name("path")
                nnode = spec.child_by_field_name("name")
                ipath = f.text(pnode).strip('"`') if pnode is not None else ""
                if ipath != path and not ipath.startswith(path + "/"):
                    continue
                directory = os.path.join(root, *ipath[len(path) :].split("/"))
                key = f.text(nnode) if nnode is not None else ""
                imports.setdefault(key, []).append(directory)
        pass_.package.memo[memo_key] = imports
    if alias in ("_", "."):
        return None
    for directory in imports.get(alias, []):
        return _package_for(pass_, directory)
    for directory in imports.get("", []):  # unaliased: the package clause says the name
        pkg = _package_for(pass_, directory)
        if pkg is not None and pkg.name == alias:
            return pkg
    return None


def _package_for(pass_: Pass, directory: str) -> Package | None:
    """The package at `directory`, once per checked package: its files now count among what
    the checked package's result depends on (the result cache checks them for changes)."""
    memo_key = ("taint-package", directory)
    if memo_key in pass_.package.memo:
        return pass_.package.memo[memo_key]  # type: ignore[no-any-return]
    depends_on(directory)
    pkg = _package_at(directory)
    pass_.package.memo[memo_key] = pkg
    return pkg
