"""`retention`: a sub-slice or sub-string flows into a long-lived container.

`values` names the metavariables stored (a key and a value); each is followed backwards through
local assignments, composite literals and `&` to a slice expression `x[a:b]`. No finding when a
`sanitizers` rule matches on the way (`strings.Clone`, `string(b[i:j])`, `append([]byte(nil),
...)`), when the slice takes all of `x` (`x[:]`), when `x` is a fixed-size array or literal, or
when `x` is a local built only from literals.

`container` (optional) names the metavariable holding the container; it must be long-lived:
a package variable, a field (`s.cache`), or a variable captured from an enclosing function.
"""

from __future__ import annotations

import re
from typing import Any

import tree_sitter

from linter.analysis.framework import Pass
from linter.analysis.functions import FUNCTIONS, PACKAGE_VARS, SLICE_TEXT, FileFunctions, FuncInfo, declared_type
from linter.checks.base import RULE_LIST, STRING_LIST, Check, CheckConfigError, Verdict
from linter.lazyregex import LazyRegex
from linter.patterns import Env
from linter.ruletree import root_kinds

Node = tree_sitter.Node

_ARRAY_TYPE = re.compile(r"^\[\s*[0-9A-Za-z_.]+\s*\]")  # [16]byte, [N]T, [sha256.Size]byte


class RetentionCheck(Check):
    name = "retention"
    provides = ("SLICE", "BASE")
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["values"],
        "properties": {
            "values": STRING_LIST,
            "container": {"type": "string"},
            "sanitizers": RULE_LIST,
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 8},
            "array-producers": STRING_LIST,
            "container-fields": {"type": "string"},
            "passes-through": STRING_LIST,
            "read-calls": STRING_LIST,
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        self.values = []
        for v in params["values"]:
            name = v.lstrip("$")
            if name not in metavars:
                raise CheckConfigError(f"values: ${name} is not bound by the rule's patterns", ["values"])
            self.values.append(name)
        self.container = self.metavar("container")
        self.sanitizers = self.rules("sanitizers")
        self.sanitizer_kinds = root_kinds(self.sanitizers)  # None: a sanitizer may match any node
        self.max_depth = params.get("max-depth", 4)
        # calls known to return fixed-size arrays (no types here, so by name)
        try:
            self.container_fields = LazyRegex(
                params.get("container-fields", r"(?i)(cache|lru|memo|store|registry|seen|index|session|history|recent|pending|backlog)")
            )
        except re.error as e:
            raise CheckConfigError(f"container-fields: invalid regex: {e}", ["container-fields"]) from None
        # calls that may return (a piece of) their first argument itself
        self.pass_through = self.regexes(
            "passes-through",
            [r"^strings\.(ToLower|ToUpper|Trim\w*|Join)$", r"^bytes\.(Trim\w*|ToLower|ToUpper)$", r"^(path|filepath)\.(Clean|Base)$"],
        )
        # calls whose result is (or fills) a buffer of someone else's data
        self.read_calls = self.regexes(
            "read-calls", [r"(^|\.)(ReadAll|ReadFile|ReadFull|ReadAtLeast|Read|ReadBytes|ReadString|ReadSlice|ReadLine|Bytes|Body)$"]
        )
        self.array_producers = self.regexes("array-producers", [r"^(sha\d+|sha1|sha3|md5|blake2[bs]|fnv)\.Sum\w*$"])

    scope = "declaration"  # values are followed within their function; containers by name

    def declaration_filter(self) -> re.Pattern[bytes] | None:
        return SLICE_TEXT

    def quick_reject(self, node: Node, pass_: Pass) -> bool:
        """Stored values are followed within their function only: no slice there, nothing kept."""
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        return fn is None or not fns.has_slice(fn)

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        if fn is None:
            return None
        found = None
        for name in self.values:
            v = env.get(name)
            items = v if isinstance(v, tuple) else ((v,) if isinstance(v, Node) else ())
            for item in items:
                found = self._slice_in(item, fn, pass_, 0, set())
                if found is not None:
                    break
            if found is not None:
                break
        if found is None:
            return None
        # only now the (package-wide) question: does the container outlive the call?
        if self.container is not None:
            c = env.get(self.container)
            if not isinstance(c, Node) or not self._long_lived(c, fn, pass_, method_sink=node.type == "call_expression"):
                return None
        operand = found.child_by_field_name("operand")
        f = pass_.file
        return Verdict(vars={"SLICE": _short(f.text(found)), "BASE": _short(f.text(operand)) if operand is not None else "?"})

    # -- where the stored value comes from ------------------------------------------------------
    def _slice_in(self, expr: Node, fn: FuncInfo, pass_: Pass, depth: int, seen: set[int]) -> Node | None:
        """The retaining slice `expr`'s value comes from, if no sanitizer is on the way. Sanitizers
        are tried only on the path of a slice found (rare), not on every expression visited;
        `seen` holds the current path only, so the answer does not depend on visiting order."""
        if expr.id in seen or depth > self.max_depth:
            return None
        seen.add(expr.id)
        try:
            found = self._slice_from(expr, fn, pass_, depth, seen)
        finally:
            seen.discard(expr.id)
        if found is not None and (self.sanitizer_kinds is None or expr.type in self.sanitizer_kinds):
            if any(s.match(expr, {}, pass_) is not None for s in self.sanitizers):
                return None
        return found

    def _slice_from(self, expr: Node, fn: FuncInfo, pass_: Pass, depth: int, seen: set[int]) -> Node | None:
        t = expr.type
        f = pass_.file
        if t == "slice_expression":
            return expr if self._retains(expr, fn, pass_) else None
        if t in ("parenthesized_expression", "literal_element"):
            return self._slice_in(expr.named_children[0], fn, pass_, depth, seen) if expr.named_children else None
        if t == "unary_expression":
            op = expr.child_by_field_name("operator")
            operand = expr.child_by_field_name("operand")
            if op is not None and op.type == "&" and operand is not None:
                return self._slice_in(operand, fn, pass_, depth, seen)
            return None
        if t in ("composite_literal", "literal_value") and depth == 0:
            # only a literal written at the store itself: `Store(k, entry{data: b[:n]})`
            body = expr.child_by_field_name("body") if t == "composite_literal" else expr
            for el in body.named_children if body is not None else []:
                target = el.named_children[-1] if el.type == "keyed_element" and el.named_children else el
                r = self._slice_in(target, fn, pass_, depth, seen)
                if r is not None:
                    return r
            return None
        if t == "call_expression":
            callee = expr.child_by_field_name("function")
            args = expr.child_by_field_name("arguments")
            if (
                callee is not None
                and args is not None
                and args.named_children
                and any(rx.search(f.text(callee)) for rx in self.pass_through)
            ):
                return self._slice_in(args.named_children[0], fn, pass_, depth + 1, seen)
            return None
        if t == "identifier":
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            facts = fns.facts(fn)
            if not facts.declares(f.text(expr)):
                return None
            for value in facts.assignments(f.text(expr)):
                r = self._slice_in(value, fn, pass_, depth + 1, seen)
                if r is not None:
                    return r
        return None

    def _retains(self, sl: Node, fn: FuncInfo, pass_: Pass) -> bool:
        """Does this slice share a backing array bigger than what it keeps?"""
        f = pass_.file
        operand = sl.child_by_field_name("operand")
        if operand is None:
            return False
        if sl.child_by_field_name("start") is None and sl.child_by_field_name("end") is None:
            return False  # x[:] keeps exactly x
        if operand.type in ("interpreted_string_literal", "raw_string_literal", "composite_literal"):
            return False
        base = operand
        while base.type in ("parenthesized_expression",):
            base = base.named_children[0]
        if self._same_container(sl, base, f):
            return False
        root = _root(base)
        if root.type == "identifier" and root.id != base.id:
            # req.Msg[:1], s.buf[:n]: a field of a parameter/receiver is borrowed data; of a
            # package variable (a static table) it is not
            rname = f.text(root)
            fns0: FileFunctions = pass_.result_of(FUNCTIONS)
            top = fns0.outermost(sl) or fn
            return fn.param_type(rname) is not None or top.param_type(rname) is not None
        if base.type == "identifier":
            name = f.text(base)
            t = declared_type(pass_, base)
            if t is not None and _ARRAY_TYPE.match(t):
                return False  # a small fixed-size array
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            values = fns.facts(fn).assignments(name)
            if values and all(_literal_only(v) for v in values) and fn.param_type(name) is None:
                return False
            if values and all(self._array_call(f, v) for v in values):
                return False
            if fn.param_type(name) is not None:
                return True  # a parameter: the caller's buffer
            # a local: only data read from somewhere (a request body, a reader, a buffer) counts;
            # slices the function built itself (make/append/literals) retain nothing borrowed
            if any(self._read_value(f, v) or self._from_param(f, v, fn) for v in values):
                return True
            return self._filled_by_read(f, name, fn, pass_)
        return True

    def _read_value(self, f: Any, v: Node) -> bool:
        if v.type != "call_expression":
            return False
        fn = v.child_by_field_name("function")
        return fn is not None and any(rx.search(f.text(fn)) for rx in self.read_calls)

    def _from_param(self, f: Any, v: Node, fn: FuncInfo) -> bool:
        """`auth := r.Header.Get("Authorization")`: data obtained from a parameter's object."""
        if v.type not in ("call_expression", "selector_expression"):
            return False
        root = _root(v.child_by_field_name("function") or v if v.type == "call_expression" else v)
        return root.type == "identifier" and fn.param_type(f.text(root)) is not None

    def _filled_by_read(self, f: Any, name: str, fn: FuncInfo, pass_: Pass) -> bool:
        """`buf := make(...); n, _ := r.Read(buf)`: the buffer is passed to a read call."""
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        for occ in fns.facts(fn).uses(name):
            p = occ.parent
            if p is not None and p.type == "argument_list" and p.parent is not None and self._read_value(f, p.parent):
                return True
        return False

    def _same_container(self, sl: Node, base: Node, f: Any) -> bool:
        """`e.cr[i] = e.cr[i][:sz]`, `t.idle[k] = list[:n]` with list from t.idle: re-slicing the
        container's own element keeps nothing new alive."""
        stmt = sl.parent
        while stmt is not None and stmt.type not in ("assignment_statement", "expression_statement", "short_var_declaration"):
            stmt = stmt.parent
        if stmt is None or stmt.type != "assignment_statement":
            return False
        left = stmt.child_by_field_name("left")
        if left is None:
            return False
        btext = f.text(_root_container(base))
        return any(f.text(_root_container(t)) == btext for t in left.named_children)

    def _array_call(self, f: Any, v: Node) -> bool:
        if v.type != "call_expression":
            return False
        fn = v.child_by_field_name("function")
        return fn is not None and any(rx.search(f.text(fn)) for rx in self.array_producers)

    def _long_lived(self, c: Node, fn: FuncInfo, pass_: Pass, method_sink: bool) -> bool:
        f = pass_.file
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        while c.type in ("parenthesized_expression", "index_expression"):
            inner = c.child_by_field_name("operand") if c.type == "index_expression" else c.named_children[0]
            if inner is None:
                return False
            c = inner
        if c.type == "selector_expression":
            root = c
            while root.type in ("selector_expression", "call_expression", "index_expression"):
                nxt = root.child_by_field_name("operand") or root.child_by_field_name("function")
                if nxt is None:
                    break
                root = nxt
            if root.type != "identifier":
                return True
            rname = f.text(root)
            outer = fns.outermost(c) or fn
            if outer.receiver == rname or fn.param_type(rname) is not None or outer.param_type(rname) is not None:
                # A field of the receiver or of a parameter: a concurrent map or cache method says
                # long-lived; a plain map/slice field only when its name says it is a cache.
                if method_sink:
                    return True
                field = c.child_by_field_name("field")
                return field is not None and self.container_fields.search(f.text(field)) is not None
            # not declared locally: a package variable or another package's; a local struct is not
            return not (fns.facts(fn).declares(rname) or fns.facts(outer).declares(rname))
        if c.type == "identifier":
            name = f.text(c)
            if fns.facts(fn).declares(name):
                return False
            top = fns.outermost(c)
            if top is not None and top.node.id != fn.node.id and fns.facts(top).declares(name):
                # captured by a closure: long-lived only if the closure outlives the call
                return _escapes(fn.node)
            return name in pass_.result_of(PACKAGE_VARS)
        return False


def _root(n: Node) -> Node:
    """The identifier an access path starts from: `req` in `req.Msg[2].Data`."""
    while n.type in ("selector_expression", "index_expression", "parenthesized_expression", "slice_expression", "call_expression"):
        nxt = n.child_by_field_name("operand") or n.child_by_field_name("function") or (n.named_children[0] if n.named_children else None)
        if nxt is None:
            break
        n = nxt
    return n


def _root_container(n: Node) -> Node:
    """`e.cr` for `e.cr[i]`: strip trailing index/slice operations."""
    while n.type in ("index_expression", "slice_expression", "parenthesized_expression"):
        nxt = n.child_by_field_name("operand") or (n.named_children[0] if n.named_children else None)
        if nxt is None:
            break
        n = nxt
    return n


def _escapes(lit: Node) -> bool:
    """Does this func literal outlive the call that created it (returned, stored, or `go`)?"""
    if lit.type != "func_literal":
        return False
    p = lit.parent
    while p is not None and p.type == "parenthesized_expression":
        p = p.parent
    if p is None:
        return False
    if p.type == "expression_list" and p.parent is not None and p.parent.type in ("return_statement", "assignment_statement"):
        return True
    return p.type in ("return_statement", "keyed_element", "literal_element", "send_statement")


def _literal_only(v: Node) -> bool:
    return v.type in ("interpreted_string_literal", "raw_string_literal", "composite_literal", "int_literal")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "..."
