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
from linter.analysis.framework import Package, PackagePass, Pass, budget_paused
from linter.analysis.functions import FUNCTIONS, PACKAGE_DECLS, FileFunctions, FuncInfo, PackageDecls, name_occurrences
from linter.checks.base import RULE_LIST, STRING_LIST, Check, CheckConfigError, Verdict
from linter.parsing import package_name, query
from linter.patterns import Env

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
        for s in self.sources:
            if s.match(expr, {}, fr.pass_) is not None:
                return _describe(f.text(expr))
        t = expr.type
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
        if name in fr.bindings:
            arg, caller = fr.bindings[name]
            return self.tainted(arg, caller, depth + 1, seen, want, nth)
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
            for value, at in _values_assigned(occ, f, want):
                r = self.tainted(value, fr, depth, seen, want, at)
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
                    with budget_paused():
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
        with budget_paused():
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
    for el in tree_sitter.QueryCursor(q).captures(body).get("e", []):
        # only returns of this function, not of nested literals
        n = el.parent
        while n is not None and n.type not in ("func_literal", "function_declaration", "method_declaration"):
            n = n.parent
        if n is not None and n.id == fn.node.id:
            out.append([c for c in el.named_children if c.type != "comment"])
    result = fn.node.child_by_field_name("result")
    if result is not None and result.type == "parameter_list":
        names = [n for decl in result.named_children if decl.type == "parameter_declaration" for n in decl.children_by_field_name("name")]
        if names and fn.file.text(names[0]) != "_":
            out.append(names if nth is None or nth >= len(names) else [names[nth]])
    return out


def _describe(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


# -- other packages of the same module -----------------------------------------------------------
_MODULE_LINE = re.compile(rb"^module\s+(\S+)", re.MULTILINE)
_PACKAGES: OrderedDict[str, Package | None] = OrderedDict()
_MAX_PACKAGES = 64


@lru_cache(maxsize=1024)
def _module(directory: str) -> tuple[str, str] | None:
    """(root directory, module path) of the nearest go.mod at or above `directory`."""
    d = os.path.abspath(directory or ".")
    while True:
        gomod = os.path.join(d, "go.mod")
        if os.path.isfile(gomod):
            try:
                with open(gomod, "rb") as fh:
                    m = _MODULE_LINE.search(fh.read(65536))
            except OSError:
                return None
            return (d, m.group(1).decode().strip('"')) if m else None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _package_at(directory: str) -> Package | None:
    """A Package for another directory of the module (kept for a few lookups: an LRU)."""
    if directory in _PACKAGES:
        _PACKAGES.move_to_end(directory)
        return _PACKAGES[directory]
    pkg: Package | None = None
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".go") and not n.endswith("_test.go"))
    except OSError:
        names = []
    for n in names:
        try:
            with open(os.path.join(directory, n), "rb") as fh:
                name = package_name(fh.read(8192))
        except OSError:
            continue
        if name:
            pkg = Package(directory, name)
            break
    _PACKAGES[directory] = pkg
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
            for spec in tree_sitter.QueryCursor(query(_IMPORT)).captures(f.root).get("s", []):
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
        return _package_at(directory)
    for directory in imports.get("", []):  # unaliased: the package clause says the name
        pkg = _package_at(directory)
        if pkg is not None and pkg.name == alias:
            return pkg
    return None
