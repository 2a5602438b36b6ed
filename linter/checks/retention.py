"""`retention`: a sub-slice or sub-string flows into a long-lived container, or a long-lived
queue drops elements from its view only.

`values` names the metavariables stored (a key and a value); each is followed backwards through
local assignments, `append` elements, composite literals, `&`, range variables and indexing to a
slice expression `x[a:b]` or to a call that returns pieces of its first argument
(`substring-calls`: `strings.Split`, `bytes.Fields`...). No finding when a `sanitizers` rule
matches on the way (`strings.Clone`, `string(b[i:j])`, `append([]byte(nil), ...)`), when the slice
takes all of `x` (`x[:]`), when `x` is a fixed-size array or literal, or when `x` is not borrowed
data (a local the function built from literals or `make`).

`container` (optional) names the metavariable holding the container; it must be long-lived:
a package variable, a field (`s.cache`) named like a cache or of a type that is shared (a struct
with a mutex, `long-lived-types`), or a variable captured by a closure that outlives the call.
A method sink listed in `typed-sinks` counts only on a container whose declared type matches.

`popped` (optional) names a metavariable bound to the slice expression of a re-slicing pop
(`q.items = q.items[1:]`, `*h = old[:n-1]`): reported when the container is a field or package
variable of a long-lived type, its elements hold pointers, and no slot is cleared in the function.

Types are read from the package's source text (struct fields, `type T ...`, package `var`s), so
the check still needs only the candidate's declaration parsed; a type it cannot resolve is
unknown, and unknown is not a match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast

import tree_sitter

from linter.analysis.framework import Pass
from linter.analysis.functions import FUNCTIONS, PACKAGE_VARS, SLICE_TEXT, FileFunctions, FuncInfo, declared_type, word_positions
from linter.checks.base import RULE_LIST, STRING_LIST, Check, CheckConfigError, Verdict
from linter.fix.facts import BYTES, RETAINED, STRING, Retained
from linter.lazyregex import LazyRegex
from linter.patterns import Env
from linter.ruletree import root_kinds

Node = tree_sitter.Node

_ARRAY_TYPE = re.compile(r"^\[\s*[0-9A-Za-z_.]+\s*\]")  # [16]byte, [N]T, [sha256.Size]byte

_STORE_MESSAGE = "is stored in a long-lived container: it keeps the whole backing array of {base} alive, not just the slice"
_POP_MESSAGE = (
    "pops by re-slicing without clearing the slot: the backing array of {base} still references "
    "the popped elements, which stay reachable (set the slot to nil or the zero value first)"
)


class RetentionCheck(Check):
    name = "retention"
    provides = ("SLICE", "BASE", "RETAINS")
    records = (RETAINED,)  # what a copy would wrap and its type, for the clone fix
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["values"],
        "properties": {
            "values": STRING_LIST,
            "container": {"type": "string"},
            "keys": STRING_LIST,
            "key-bases": {"type": "string"},
            "small-bases": {"type": "string"},
            "reused-containers": {"type": "string"},
            "popped": {"type": "string"},
            "sanitizers": RULE_LIST,
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 8},
            "array-producers": STRING_LIST,
            "container-fields": {"type": "string"},
            "passes-through": STRING_LIST,
            "substring-calls": STRING_LIST,
            "view-calls": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"function": {"type": "string"}, "method": {"type": "string"}, "receiver-type": {"type": "string"}},
                },
            },
            "read-calls": STRING_LIST,
            "long-lived-types": STRING_LIST,
            "slot-clears": STRING_LIST,
            "typed-sinks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["methods", "type"],
                    "properties": {
                        "methods": STRING_LIST,
                        "type": {"type": "string"},
                        "unresolved": {"enum": ["report", "ignore"]},
                    },
                },
            },
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
        self.popped = self.metavar("popped")
        self.keys = []
        for k in params.get("keys", []):
            name = k.lstrip("$")
            if name not in metavars:
                raise CheckConfigError(f"keys: ${name} is not bound by the rule's patterns", ["keys"])
            self.keys.append(name)
        try:
            # a map key cut from a parameter or field is reported only when that base is named
            # like bulk data (a line, a message, a body): names and IDs are short
            self.key_bases = LazyRegex(params["key-bases"]) if "key-bases" in params else None
            # containers whose pops hand elements out for reuse (a pool, a free list): not dropped
            self.reused = LazyRegex(params["reused-containers"]) if "reused-containers" in params else None
            # bases that are small by nature (a job's Name, an ID, a path): a piece of one retains
            # nothing worth a finding (data read, received or viewed still counts whatever its name)
            self.small_bases = LazyRegex(params["small-bases"]) if "small-bases" in params else None
        except re.error as e:
            raise CheckConfigError(f"invalid regex: {e}", []) from None
        self.sanitizers = self.rules("sanitizers")
        self.sanitizer_kinds = root_kinds(self.sanitizers)  # None: a sanitizer may match any node
        self.max_depth = params.get("max-depth", 4)
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
        # functions whose result is made of pieces of their first argument (sub-strings)
        # entries starting with "." are methods (`.FindSubmatch`: a regexp's results alias its input)
        entries = params.get("substring-calls", [])
        self.substring_calls = frozenset(c for c in entries if not c.startswith("."))
        self.substring_methods = tuple(c for c in entries if c.startswith("."))
        # calls returning a view into a buffer they do not copy: `unsafe.String(p, n)`, an Arrow
        # string array's `Value(i)` (its receiver's declared type decides)
        self.view_functions: frozenset[str] = frozenset(v["function"] for v in params.get("view-calls", []) if "function" in v)
        self.view_methods: list[tuple[str, LazyRegex[str] | None]] = []
        for i, v in enumerate(params.get("view-calls", [])):
            if ("function" in v) == ("method" in v):
                raise CheckConfigError(f"view-calls[{i}]: give exactly one of function, method", ["view-calls", i])
            if "method" in v:
                try:
                    rt = LazyRegex(v["receiver-type"]) if "receiver-type" in v else None
                except re.error as e:
                    raise CheckConfigError(f"view-calls[{i}].receiver-type: invalid regex: {e}", ["view-calls", i]) from None
                self.view_methods.append((v["method"], rt))
        # A declaration matters if it has a slice expression, or calls one of those functions by
        # its full name (`strings.Split(`, `unsafe.String(`: the bare `.String(` is everywhere),
        # or a view method (`.Value(`).
        calls = sorted(self.substring_calls | self.view_functions) + sorted(
            {"." + m for m, _ in self.view_methods} | set(self.substring_methods)
        )
        self._call_names = [c.encode() + b"(" for c in calls]
        # one regex with these as alternatives would lose the fast literal scan of SLICE_TEXT
        self._filter = cast("re.Pattern[bytes]", _SliceOrCall(self._call_names)) if calls else SLICE_TEXT
        # calls whose result is (or fills) a buffer of someone else's data
        self.read_calls = self.regexes(
            "read-calls", [r"(^|\.)(ReadAll|ReadFile|ReadFull|ReadAtLeast|Read|ReadBytes|ReadString|ReadSlice|ReadLine|Bytes|Body)$"]
        )
        # calls known to return fixed-size arrays (slicing them retains nothing big)
        self.array_producers = self.regexes("array-producers", [r"^(sha\d+|sha1|sha3|md5|blake2[bs]|fnv)\.Sum\w*$"])
        # a struct with a field of such a type is shared and long-lived (a server, a manager)
        self.long_lived_types = self.regexes("long-lived-types", [r"^\*?sync\.(RW)?Mutex$"])
        # calls that release or overwrite popped slots when given the container
        self.slot_clears = self.regexes("slot-clears", [r"^(clear|copy)$"])
        self.typed_sinks: list[tuple[frozenset[str], LazyRegex[str], bool]] = []
        for i, entry in enumerate(params.get("typed-sinks", [])):
            try:
                rx = LazyRegex(entry["type"])
            except re.error as e:
                raise CheckConfigError(f"typed-sinks[{i}].type: invalid regex: {e}", ["typed-sinks", i, "type"]) from None
            self.typed_sinks.append((frozenset(entry["methods"]), rx, entry.get("unresolved", "ignore") == "report"))

    _fns: Any = None  # the facts of the function being looked at, for _same_container

    scope = "declaration"  # values are followed within their function; types come from the package's text

    def declaration_filter(self) -> re.Pattern[bytes] | None:
        return self._filter

    def quick_reject(self, node: Node, pass_: Pass) -> bool:
        """Stored values are followed within their function only: no slice and no call of a
        substring function there, nothing kept."""
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        if fn is None:
            return True
        if fns.has_slice(fn):
            return False
        data, a, b = pass_.file.data, fn.node.start_byte, fn.node.end_byte
        needles: list[bytes] = self._filter.present(data) if isinstance(self._filter, _SliceOrCall) else []
        return not any(data.find(n, a, b) != -1 for n in needles)

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        if fn is None:
            return None
        if self.popped is not None and isinstance(env.get(self.popped), Node):
            return self._pop(node, env, fn, pass_)
        c0 = env.get(self.container) if self.container is not None else None
        if isinstance(c0, Node) and _bare(c0).type == "identifier":
            fns0: FileFunctions = pass_.result_of(FUNCTIONS)
            if fns0.facts(fn).declares(pass_.file.text(_bare(c0))):
                return None  # a local map or slice (the common case): cheap to tell, so asked first
        found = None
        carrier: Node | None = None
        for name in self.values:
            v = env.get(name)
            items = v if isinstance(v, tuple) else ((v,) if isinstance(v, Node) else ())
            for item in items:
                found = self._slice_in(item, fn, pass_, 0, set())
                if found is not None and name in self.keys and not self._bulk_key(found, fn, pass_):
                    found = None
                if found is not None:
                    carrier = item
                    break
            if found is not None:
                break
        if found is None:
            return None
        base = self._base_of(found)
        root = _root(base) if base is not None else None
        if root is not None and root.type == "identifier" and pass_.file.text(root) in self._stored_whole(env, pass_):
            return None  # `m[line[:8]] = line`: the whole of the base is kept anyway
        if root is not None and root.type == "identifier" and self._owner_keeps_base(pass_.file.text(root), env, fn, pass_):
            return None  # `o.buf = buf; o.cache[k] = view(buf[n:])`: the owner holds the whole buffer anyway
        if base is not None and self.small_bases is not None and not self._is_view_of(found, fn, pass_):
            last = re.split(r"[^\w]+", pass_.file.text(base).rstrip(")] "))[-1]
            if last and self.small_bases.search(last):
                return None  # a piece of a name, an ID or a path: the whole of it is small
        # only now the (package-wide) question: does the container outlive the call?
        if self.container is not None:
            c = env.get(self.container)
            if not isinstance(c, Node):
                return None
            method = _method_name(pass_, node)
            if method is not None and not self._typed_sink_ok(c, method, fn, pass_):
                return None
            if not self._long_lived(c, fn, pass_, method_sink=method is not None):
                return None
        f = pass_.file
        btext = _short(f.text(base)) if base is not None else "?"
        stored = self._carrier(carrier, fn, pass_) if carrier is not None else None
        facts = {RETAINED: Retained(stored, found, _Kinds(self, fn, pass_).of(stored))} if stored is not None else {}
        return Verdict(vars={"SLICE": _short(f.text(found)), "BASE": btext, "RETAINS": _STORE_MESSAGE.format(base=btext)}, facts=facts)

    def _carrier(self, item: Node, fn: FuncInfo, pass_: Pass) -> Node | None:
        """The expression of the store a copy would wrap: `item` itself, or inside a literal,
        `&`, parentheses or an `append` the element that carries the piece (None: not one)."""
        for _ in range(self.max_depth + 2):
            t = item.type
            if t in ("parenthesized_expression", "literal_element") and item.named_children:
                item = item.named_children[0]
            elif t == "unary_expression":
                op = item.child_by_field_name("operator")
                operand = item.child_by_field_name("operand")
                if op is None or op.type != "&" or operand is None:
                    return None
                item = operand
            elif t in ("composite_literal", "literal_value"):
                body = item.child_by_field_name("body") if t == "composite_literal" else item
                values = [
                    el.named_children[-1] if el.type == "keyed_element" and el.named_children else el
                    for el in (body.named_children if body is not None else [])
                ]
                hit = next((v for v in values if self._slice_in(v, fn, pass_, 0, set()) is not None), None)
                if hit is None:
                    return None
                item = hit
            elif t == "call_expression" and pass_.file.text(item.child_by_field_name("function") or item) == "append":
                args = item.child_by_field_name("arguments")
                elems = args.named_children[1:] if args is not None else []
                hit = next((e for e in elems if self._slice_in(e, fn, pass_, 1, set()) is not None), None)
                if hit is None:
                    return None
                item = hit
            else:
                return item
        return None

    # -- where the stored value comes from ------------------------------------------------------
    def _owner_keeps_base(self, base: str, env: Env, fn: FuncInfo, pass_: Pass) -> bool:
        """The container's owner (`o` in `o.cache[k] = ...`) also keeps the base buffer itself in
        this function (`o.buf = buf`): an arena the cache points into by design, nothing extra."""
        c = env.get(self.container) if self.container is not None else None
        if not isinstance(c, Node):
            return False
        croot = _root(c)
        if croot is None or croot.type != "identifier" or croot.id == c.id:
            return False
        owner = re.escape(pass_.file.text(croot))
        body = fn.body or fn.node
        text = pass_.file.text(body)
        return re.search(rf"(?<![\w.]){owner}\.\w+\s*=\s*{re.escape(base)}\b\s*(\n|;|$)", text) is not None

    def _stored_whole(self, env: Env, pass_: Pass) -> set[str]:
        """Variables the store keeps whole: `v` in `m[k] = v`, `append(m[k], v)`, `T{data: v}`."""
        out: set[str] = set()
        f = pass_.file

        def walk(n: Node, depth: int) -> None:
            if depth > 3:
                return
            if n.type == "identifier":
                out.add(f.text(n))
            elif n.type in ("parenthesized_expression", "literal_element") and n.named_children:
                walk(n.named_children[0], depth + 1)
            elif n.type == "unary_expression":
                operand = n.child_by_field_name("operand")
                if operand is not None:
                    walk(operand, depth + 1)
            elif n.type == "call_expression":
                callee = n.child_by_field_name("function")
                args = n.child_by_field_name("arguments")
                if callee is not None and f.text(callee) == "append" and args is not None:
                    for a in args.named_children[1:]:
                        walk(a, depth + 1)
            elif n.type in ("composite_literal", "literal_value"):
                body = n.child_by_field_name("body") if n.type == "composite_literal" else n
                for el in body.named_children if body is not None else []:
                    walk(el.named_children[-1] if el.type == "keyed_element" and el.named_children else el, depth + 1)

        for name in self.values:
            v = env.get(name)
            for item in v if isinstance(v, tuple) else ((v,) if isinstance(v, Node) else ()):
                walk(item, 0)
        return out

    def _base_of(self, found: Node) -> Node | None:
        if found.type == "slice_expression":
            return found.child_by_field_name("operand")
        callee = found.child_by_field_name("function")
        if callee is not None and callee.type == "selector_expression" and self.view_methods:
            field = callee.child_by_field_name("field")
            if field is not None and any((field.text or b"").decode() == m for m, _ in self.view_methods):
                return callee.child_by_field_name("operand")
        args = found.child_by_field_name("arguments")
        return args.named_children[0] if args is not None and args.named_children else None

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
        if t == "index_expression":
            # `strings.Split(line, ":")[1]`, `parts[1]`: an element of a list of sub-strings
            operand = expr.child_by_field_name("operand")
            r = self._slice_in(operand, fn, pass_, depth + 1, seen) if operand is not None else None
            return r if r is not None and r.type == "call_expression" else None
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
            if callee is None or args is None or not args.named_children:
                return None
            ctext = f.text(callee)
            first = args.named_children[0]
            if ctext == "append":
                # the elements appended are stored as they are (a spread `b...` copies them)
                if any(c.type == "..." for c in args.children):
                    return None
                for el in args.named_children[1:]:
                    r = self._slice_in(el, fn, pass_, depth + 1, seen)
                    if r is not None:
                        return r
                return None
            if self._view_call(expr, callee, ctext, fn, pass_):
                return expr
            if ctext in self.substring_calls or self._substring_method(ctext):
                return expr if self._borrowed(first, fn, pass_, 0, set()) and not self._own_static(first, fn, pass_) else None
            if any(rx.search(ctext) for rx in self.pass_through):
                return self._slice_in(first, fn, pass_, depth + 1, seen)
            return None
        if t == "identifier":
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            facts = fns.facts(fn)
            name = f.text(expr)
            if not facts.declares(name):
                return None
            for value in facts.assignments(name):
                r = self._slice_in(value, fn, pass_, depth + 1, seen)
                if r is not None:
                    return r
            for ranged in _range_sources(facts.uses(name)):
                # `for _, p := range strings.Split(s, ",")`: each p is a piece of s
                r = self._slice_in(ranged, fn, pass_, depth + 1, seen)
                if r is not None and r.type == "call_expression":
                    return r
        return None

    def _substring_method(self, ctext: str) -> bool:
        return bool(self.substring_methods) and "." in ctext and any(ctext.endswith(m) for m in self.substring_methods)

    def _view_call(self, call: Node, callee: Node, ctext: str, fn: FuncInfo, pass_: Pass) -> bool:
        if ctext in self.view_functions:
            return True
        if callee.type != "selector_expression" or not self.view_methods:
            return False
        field = callee.child_by_field_name("field")
        operand = callee.child_by_field_name("operand")
        if field is None or operand is None:
            return False
        name = pass_.file.text(field)
        for method, rt in self.view_methods:
            if method == name:
                if rt is None:
                    return True
                t = _TypeIndex.of(pass_).type_of(operand, fn, pass_)
                if t is not None and rt.search(t) is not None:
                    return True
        return False

    def _bulk_key(self, found: Node, fn: FuncInfo, pass_: Pass) -> bool:
        """A key cut from data (read, received, a view) counts; one cut from a parameter or a
        field only when `key-bases` says its name is bulk data."""
        if self.key_bases is None or (found.type == "call_expression" and self._is_view(found, fn, pass_)):
            return True
        base = self._base_of(found)
        if base is None:
            return False
        root = _root(base)
        while root.type in ("unary_expression", "parenthesized_expression") and root.named_children:
            root = _root(root.named_children[-1])
        if root.type != "identifier":
            return False
        name = pass_.file.text(root)
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        top = fns.outermost(found) or fn
        if fn.param_type(name) is None and top.param_type(name) is None:
            # a local holding data read or received here counts whatever its name
            f = pass_.file
            for v in fns.facts(fn).assignments(name):
                op = v.child_by_field_name("operator") if v.type == "unary_expression" else None
                if self._read_value(f, v) or (op is not None and op.type == "<-"):
                    return True
            if self._filled_by_read(f, name, fn, pass_):
                return True
        return self.key_bases.search(name) is not None

    def _is_view_of(self, found: Node, fn: FuncInfo, pass_: Pass) -> bool:
        return found.type == "call_expression" and self._is_view(found, fn, pass_)

    def _is_view(self, call: Node, fn: FuncInfo, pass_: Pass) -> bool:
        callee = call.child_by_field_name("function")
        return callee is not None and self._view_call(call, callee, pass_.file.text(callee), fn, pass_)

    def _own_static(self, base: Node, fn: FuncInfo, pass_: Pass) -> bool:
        """A static table or a literal: splitting it retains nothing borrowed."""
        return base.type in ("interpreted_string_literal", "raw_string_literal")

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
        if _zero_length(f, sl):
            return False  # `buf[:0]`: kept for reuse of its capacity, not for its contents
        fns_: FileFunctions = pass_.result_of(FUNCTIONS)
        self._fns = fns_.facts(fn)
        if self._same_container(sl, base, f):
            return False
        if base.type == "identifier":
            t = declared_type(pass_, base)
            if t is not None and _ARRAY_TYPE.match(t):
                return False  # a small fixed-size array
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            values = fns.facts(fn).assignments(f.text(base))
            if values and all(self._array_call(f, v) for v in values):
                return False
        return self._borrowed(base, fn, pass_, 0, set())

    def _borrowed(self, expr: Node, fn: FuncInfo, pass_: Pass, depth: int, seen: set[int]) -> bool:
        """Is `expr` (a piece of) data the function did not build itself: a parameter, a field of
        a parameter or the receiver, something read (`io.ReadAll`, a buffer passed to `Read`,
        `r.Header.Get`), received from a channel, or ranged over one of those?"""
        if depth > self.max_depth or expr.id in seen:
            return False
        seen.add(expr.id)
        f = pass_.file
        t = expr.type
        if t == "parenthesized_expression":
            return bool(expr.named_children) and self._borrowed(expr.named_children[0], fn, pass_, depth, seen)
        if t in ("selector_expression", "index_expression", "slice_expression"):
            root = _root(expr)
            if root.type != "identifier":
                return False
            rname = f.text(root)
            fns0: FileFunctions = pass_.result_of(FUNCTIONS)
            top = fns0.outermost(expr) or fn
            if fn.param_type(rname) is not None or top.param_type(rname) is not None:
                return True  # req.Msg, s.buf: the caller's (or the object's) buffer
            if not fns0.facts(fn).declares(rname):
                return False  # a package variable (a static table) or another package's
            return self._borrowed(root, fn, pass_, depth + 1, seen)
        if t == "unary_expression":
            op = expr.child_by_field_name("operator")
            operand = expr.child_by_field_name("operand")
            if op is not None and op.type == "<-":
                return True  # received: someone else's buffer
            return operand is not None and op is not None and op.type in ("*", "&") and self._borrowed(operand, fn, pass_, depth + 1, seen)
        if t == "call_expression":
            if self._read_value(f, expr) or self._from_param(f, expr, fn):
                return True
            callee = expr.child_by_field_name("function")
            args = expr.child_by_field_name("arguments")
            if callee is not None and args is not None and args.named_children:
                ctext = f.text(callee)
                if ctext in self.substring_calls or self._substring_method(ctext) or any(rx.search(ctext) for rx in self.pass_through):
                    return self._borrowed(args.named_children[0], fn, pass_, depth + 1, seen)
                if ctext in ("string", "[]byte"):
                    # `string(body)` of a body read here (`io.ReadAll`, a buffer filled by Read):
                    # a copy, but of the whole body; pieces of it (a Split, a sub-string) still
                    # keep all of it (a converted parameter may be a small message: not assumed)
                    return self._read_here(args.named_children[0], fn, pass_)
            return False
        if t == "identifier":
            name = f.text(expr)
            if fn.param_type(name) is not None:
                return True  # a parameter: the caller's buffer
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            facts = fns.facts(fn)
            if not facts.declares(name):
                return False
            values = facts.assignments(name)
            if values and all(_literal_only(v) for v in values):
                return False
            if any(self._borrowed(v, fn, pass_, depth + 1, seen) for v in values):
                return True
            if any(self._borrowed(r, fn, pass_, depth + 1, seen) for r in _range_sources(facts.uses(name))):
                return True
            return self._filled_by_read(f, name, fn, pass_)
        return False

    def _read_here(self, expr: Node, fn: FuncInfo, pass_: Pass) -> bool:
        """Is `expr` data read in this function: a read call, or a local assigned one or filled
        by one (`raw, _ := io.ReadAll(r.Body)`, `buf := make(...); io.ReadFull(c, buf)`)?"""
        f = pass_.file
        while expr.type in ("parenthesized_expression", "slice_expression") and expr.named_children:
            expr = expr.named_children[0]
        if self._read_value(f, expr):
            return True
        if expr.type != "identifier":
            return False
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        name = f.text(expr)
        if not fns.facts(fn).declares(name):
            return False
        return any(self._read_value(f, v) for v in fns.facts(fn).assignments(name)) or self._filled_by_read(f, name, fn, pass_)

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
            while p is not None and p.type in ("slice_expression", "parenthesized_expression"):
                p = p.parent  # `io.ReadFull(conn, buf[:4096])` fills buf
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
        targets = {_squash(f.text(_root_container(t))) for t in left.named_children}
        if _squash(f.text(_root_container(base))) in targets:
            return True
        if base.type == "identifier" and self._fns is not None:
            # `c := h.inbox[k]; h.inbox[k] = c[n:]`, `keep := list[:0]` over the same element
            facts, seen = self._fns, {f.text(base)}
            todo = [f.text(base)]
            while todo:
                for v in facts.assignments(todo.pop()):
                    root = _root_container(v)
                    if _squash(f.text(root)) in targets:
                        return True
                    if root.type == "identifier" and f.text(root) not in seen and len(seen) < 4:
                        seen.add(f.text(root))
                        todo.append(f.text(root))
        return False

    def _array_call(self, f: Any, v: Node) -> bool:
        if v.type != "call_expression":
            return False
        fn = v.child_by_field_name("function")
        return fn is not None and any(rx.search(f.text(fn)) for rx in self.array_producers)

    # -- the container ----------------------------------------------------------------------------
    def _typed_sink_ok(self, c: Node, method: str, fn: FuncInfo, pass_: Pass) -> bool:
        """`Store` is sync.Map's only on a sync.Map: the container's declared type decides."""
        for methods, rx, report_unresolved in self.typed_sinks:
            if method in methods:
                t = _TypeIndex.of(pass_).type_of(c, fn, pass_)
                if t is None:
                    return report_unresolved
                return rx.search(t) is not None
        return True

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
                # long-lived; a plain map/slice field when its name says it is a cache, or when
                # its owner is a shared object (a struct guarded by a mutex).
                if method_sink:
                    return True
                field = c.child_by_field_name("field")
                if field is not None and self.container_fields.search(f.text(field)) is not None:
                    return True
                operand = c.child_by_field_name("operand")
                if operand is None:
                    return False
                types = _TypeIndex.of(pass_)
                owner = types.type_of(operand, fn, pass_)
                return owner is not None and types.has_field_of(owner, self.long_lived_types)
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

    # -- queues popped by re-slicing ---------------------------------------------------------------
    def _refilled_wholesale(self, qtext: str, pass_: Pass) -> bool:
        """Is the queue field assigned a fresh slice somewhere in the package (`x.buf = entries`,
        not `x.buf = x.buf[1:]` nor `append(x.buf, ...)`)? Then what a pop leaves behind lives
        only until the next refill: one batch, not a growing backlog."""
        field = qtext.rsplit(".", 1)[-1]
        key = ("refilled", field)
        memo = pass_.package.memo
        if key not in memo:
            rx = re.compile(rb"\.\s*" + re.escape(field.encode()) + rb"\s*=\s*([^\n;]+)")
            found = False
            for path, data in pass_.package.entries():
                if path.endswith("_test.go"):
                    continue  # a test setting up the queue says nothing about production refills
                for m in rx.finditer(data):
                    rhs = m.group(1).strip()
                    if re.match(rb"\w+\s*$", rhs) and rhs not in (b"nil",):
                        found = True  # a plain variable holding another slice
                        break
                if found:
                    break
            memo[key] = found
        return bool(memo[key])

    def _pop(self, node: Node, env: Env, fn: FuncInfo, pass_: Pass) -> Verdict | None:
        f = pass_.file
        sl = env.get(self.popped or "")
        q = env.get(self.container or "") if self.container is not None else None
        if not isinstance(sl, Node) or sl.type != "slice_expression" or not isinstance(q, Node):
            return None
        operand = sl.child_by_field_name("operand")
        if operand is None or not _drops_elements(f, sl):
            return None
        if self.reused is not None and self.reused.search(f.text(q)) is not None:
            return None  # a pool or free list: what it pops is handed out, not dropped
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        facts = fns.facts(fn)
        qtext = _squash(f.text(q))
        # names that hold the container in this function: `old := h.array`, `h := *lah`
        aliases = {qtext}
        if operand.type == "identifier" and _squash(f.text(operand)) != qtext:
            name = f.text(operand)
            values = facts.assignments(name)
            if not values or not all(_squash(f.text(v)) == qtext for v in values):
                return None
            aliases.add(name)
        elif _squash(f.text(operand)) != qtext:
            return None
        # the owner must outlive the call: the receiver's field, the receiver itself, a package var
        types = _TypeIndex.of(pass_)
        outer = fns.outermost(node) or fn
        owner_type: str | None = None
        if q.type == "selector_expression":
            owner = q.child_by_field_name("operand")
            if owner is None:
                return None
            if owner.type == "identifier" and f.text(owner) == outer.receiver:
                owner_type = outer.receiver_type
            elif owner.type == "identifier" and not facts.declares(f.text(owner)) and f.text(owner) in pass_.result_of(PACKAGE_VARS):
                pass
            else:
                owner_type = self._shared_owner(owner, fn, outer, pass_, types)
                if owner_type is None:
                    return None
        elif q.type == "unary_expression":
            inner = q.child_by_field_name("operand")
            if inner is None or inner.type != "identifier" or f.text(inner) != outer.receiver:
                return None
            owner_type = outer.receiver_type
        elif q.type == "identifier":
            if facts.declares(f.text(q)) or f.text(q) not in pass_.result_of(PACKAGE_VARS):
                return None
        else:
            return None
        if owner_type is not None and not (
            types.has_field_of(owner_type, self.long_lived_types) or types.held_long(owner_type, self.long_lived_types)
        ):
            return None  # a per-call or per-query object: what its pops keep dies with it
        qt = types.type_of(q, fn, pass_)
        elem = types.element_type(qt) if qt is not None else None
        if elem is None or elem.startswith(("chan", "<-chan", "string")) or types.has_pointers(elem) is not True:
            return None  # unknown, or elements that keep nothing big (a channel, a short string)
        front = sl.child_by_field_name("end") is None  # a prefix dropped: appends do not refill it
        if self._slots_cleared(f, aliases, fn, pass_, front):
            return None
        if q.type == "selector_expression" and self._refilled_wholesale(f.text(q), pass_):
            return None  # `i.buf = batch` elsewhere: the drained array is dropped at each refill
        btext = _short(f.text(q))
        return Verdict(vars={"SLICE": _short(f.text(sl)), "BASE": btext, "RETAINS": _POP_MESSAGE.format(base=btext)})

    @staticmethod
    def _shared_owner(owner: Node, fn: FuncInfo, outer: FuncInfo, pass_: Pass, types: _TypeIndex) -> str | None:
        """The struct type of a queue's owner reached through pointers from outside the call:
        `eh.queue` for a parameter `eh *eventHandler` or the receiver's `r.state.queue`, when the
        step's declared type is a pointer to a struct of this package. A local's (`s := &T{}`)
        dies with the call and gives None."""
        root = owner
        while root.type == "selector_expression":
            nxt = root.child_by_field_name("operand")
            if nxt is None:
                return None
            root = nxt
        if root.type != "identifier":
            return None
        name = pass_.file.text(root)
        params = {n for info in (fn, outer) for n, _ in info.params}
        if name != outer.receiver and name not in params:
            return None
        t = types.type_of(owner, fn, pass_)
        if t is None or not t.strip().startswith("*"):
            return None
        named = _named(t)
        return t.strip() if named is not None and types.fields(named) is not None else None

    def _slots_cleared(self, f: Any, aliases: set[str], fn: FuncInfo, pass_: Pass, front: bool) -> bool:
        """Does the function write a slot of the container (`q[0] = nil`, `h[i] = h[n-1]`) or hand
        it to a clearing call (`clear(q[n:])`, `copy(q, q[1:])`)?"""
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        roots = {a.split(".")[0].lstrip("*(") for a in aliases}
        for r in roots:
            for occ in fns.facts(fn).uses(r):
                n = occ
                while n.parent is not None and n.parent.type in ("selector_expression", "unary_expression", "parenthesized_expression"):
                    if _squash(f.text(n)) in aliases:
                        break
                    n = n.parent
                if _squash(f.text(n)) not in aliases:
                    continue
                p = n.parent
                while p is not None and p.type in ("index_expression", "slice_expression") and _is_operand(p, n):
                    if p.type == "index_expression":
                        lst = p.parent
                        if (
                            lst is not None
                            and lst.type == "expression_list"
                            and lst.parent is not None
                            and lst.parent.type == "assignment_statement"
                        ):
                            left = lst.parent.child_by_field_name("left")
                            if left is not None and left.id == lst.id:
                                return True
                    n, p = p, p.parent
                if p is not None and p.type == "argument_list" and p.parent is not None and p.parent.type == "call_expression":
                    callee = p.parent.child_by_field_name("function")
                    if callee is not None and any(rx.search(f.text(callee)) for rx in self.slot_clears):
                        return True
                    if (
                        not front
                        and callee is not None
                        and f.text(callee) == "append"
                        and p.named_children
                        and p.named_children[0].id == n.id
                    ):
                        return True  # `q = append(q, x)` here too: the slot popped is the one just filled
        return False


# What a stored piece is, for the clone fix: STRING or BYTES, or a list of them (the result of
# a Split: copying the list keeps every piece's buffer, so a list is no fixable kind).
_Kind = tuple[str, bool]  # (STRING or BYTES, is a list of them)
_SCALAR_CALLS = {
    "string": STRING,
    "[]byte": BYTES,
    "io.ReadAll": BYTES,
    "ioutil.ReadAll": BYTES,
    "os.ReadFile": BYTES,
    "ioutil.ReadFile": BYTES,
    "strings.Cut": STRING,
    "strings.CutPrefix": STRING,
    "strings.CutSuffix": STRING,
    "strings.Join": STRING,
    "bytes.Cut": BYTES,
    "bytes.CutPrefix": BYTES,
    "bytes.CutSuffix": BYTES,
    "bytes.Join": BYTES,
    "unsafe.String": STRING,
    "fmt.Sprint": STRING,
    "fmt.Sprintf": STRING,
}
_PACKAGE_KINDS = (("strings.", STRING), ("bytes.", BYTES), ("path.", STRING), ("filepath.", STRING))
_LIST_FUNCTIONS = re.compile(r"^(strings|bytes)\.(Split|SplitN|SplitAfter|SplitAfterN|Fields|FieldsFunc)$")
_METHOD_KINDS = {
    ".FindString": (STRING, False),
    ".FindStringSubmatch": (STRING, True),
    ".FindAllString": (STRING, True),
    ".FindSubmatch": (BYTES, True),
}


def _type_kind(t: str | None) -> _Kind | None:
    t = "".join(t.split()) if t is not None else None
    return {
        "string": (STRING, False),
        "[]byte": (BYTES, False),
        "[]uint8": (BYTES, False),
        "[]string": (STRING, True),
        "[][]byte": (BYTES, True),
    }.get(t or "")


class _Kinds:
    """The kind of a stored expression, from the package's declarations (`_TypeIndex`), the
    function's parameters and locals, and the calls that made it; None when any step is unknown
    (a named type such as `type Blob []byte` is unknown too: a Clone would change its type)."""

    def __init__(self, check: RetentionCheck, fn: FuncInfo, pass_: Pass) -> None:
        self.check, self.fn, self.pass_ = check, fn, pass_

    def of(self, expr: Node | None) -> str | None:
        k = self._kind(expr, 0, set()) if expr is not None else None
        return k[0] if k is not None and not k[1] else None

    def _kind(self, expr: Node, depth: int, seen: set[int]) -> _Kind | None:
        if depth > 5 or expr.id in seen:
            return None
        seen.add(expr.id)
        f, t = self.pass_.file, expr.type
        if t == "parenthesized_expression" and expr.named_children:
            return self._kind(expr.named_children[0], depth + 1, seen)
        if t in ("interpreted_string_literal", "raw_string_literal"):
            return (STRING, False)
        if t == "slice_expression":
            operand = expr.child_by_field_name("operand")
            return self._kind(operand, depth + 1, seen) if operand is not None else None
        if t == "index_expression":
            operand = expr.child_by_field_name("operand")
            k = self._kind(operand, depth + 1, seen) if operand is not None else None
            return (k[0], False) if k is not None and k[1] else None  # an element of a list (a string's is a byte)
        if t == "binary_expression":
            op = expr.child_by_field_name("operator")
            left = expr.child_by_field_name("left")
            k = self._kind(left, depth + 1, seen) if left is not None and op is not None and op.type == "+" else None
            return k if k == (STRING, False) else None
        if t == "call_expression":
            return self._call_kind(expr, depth, seen)
        if t == "selector_expression":
            return _type_kind(_TypeIndex.of(self.pass_).type_of(expr, self.fn, self.pass_))
        if t != "identifier":
            return None
        known = _type_kind(_TypeIndex.of(self.pass_).type_of(expr, self.fn, self.pass_))
        if known is not None:
            return known
        fns: FileFunctions = self.pass_.result_of(FUNCTIONS)
        facts = fns.facts(self.fn)
        name = f.text(expr)
        if not facts.declares(name) or self.fn.param_type(name) is not None:
            return None  # a parameter of a type not known above, or a package-level name
        kinds = {self._kind(v, depth + 1, seen) for v in facts.assignments(name)}
        for ranged in _range_sources(facts.uses(name), values_only=True):
            k = self._kind(ranged, depth + 1, seen)
            kinds.add((k[0], False) if k is not None and k[1] else None)
        if len(kinds) == 1:
            return next(iter(kinds))
        return None

    def _call_kind(self, call: Node, depth: int, seen: set[int]) -> _Kind | None:
        f = self.pass_.file
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None:
            return None
        ctext = "".join(f.text(callee).split())
        if ctext == "make" and args is not None and args.named_children:
            return _type_kind(f.text(args.named_children[0]))
        if ctext in _SCALAR_CALLS:
            return (_SCALAR_CALLS[ctext], False)
        if _LIST_FUNCTIONS.match(ctext):
            return (STRING if ctext.startswith("strings.") else BYTES, True)
        for suffix, kind in _METHOD_KINDS.items():
            if ctext.endswith(suffix) and callee.type == "selector_expression":
                return kind
        if ctext == "unsafe.Slice" or "." not in ctext:
            return None
        if any(rx.search(ctext) for rx in self.check.pass_through):
            return next(((k, False) for prefix, k in _PACKAGE_KINDS if ctext.startswith(prefix)), None)
        return None


class _TypeIndex:
    """Declared types read from the package's source text, memoized per package: struct fields
    (`type T struct { f map[K]V }`), other type declarations (`type H []*T`), package variables
    (`var m sync.Map`). gofmt'd code puts them at known indentation, so nothing is parsed."""

    def __init__(self, sources: list[bytes]) -> None:
        self.sources = sources
        self._decls: dict[str, str | None] = {}
        self._fields: dict[str, dict[str, str] | None] = {}
        self._vars: dict[str, str | None] = {}
        self._held: dict[str, bool] = {}

    @staticmethod
    def of(pass_: Pass) -> _TypeIndex:
        memo = pass_.package.memo
        got = memo.get("retention.types")
        if got is None:
            got = _TypeIndex(pass_.package.sources())
            memo["retention.types"] = got
        return got  # type: ignore[no-any-return]

    def decl(self, name: str) -> str | None:
        """The text after `type NAME` (`struct {...}` whole), or None when not declared here."""
        if name in self._decls:
            return self._decls[name]
        got = None
        rx = re.compile(rb"^(\t?)(?:type\s+)?" + re.escape(name.encode()) + rb"(?:\[[^\]\n]*\])?\s+(?!=)([^\n]*)$", re.MULTILINE)
        for data in self.sources:
            if name.encode() not in data:
                continue
            for m in _line_matches(data, name.encode(), rx):
                indent, rest = m.group(1), m.group(2)
                line_start = m.start()
                head = data[line_start : m.start(2)]
                if not indent and not head.startswith(b"type"):
                    continue
                if indent and not _in_type_block(data, line_start):
                    continue
                if rest.startswith(b"struct") and rest.rstrip().endswith(b"{"):
                    close = b"\n" + indent + b"}"
                    end = data.find(close, m.end())
                    got = "struct " + data[m.end() : end if end != -1 else m.end()].decode("utf-8", "replace")
                else:
                    got = _strip_comment(rest.decode("utf-8", "replace"))
                break
            if got is not None:
                break
        self._decls[name] = got
        return got

    def fields(self, name: str) -> dict[str, str] | None:
        if name in self._fields:
            return self._fields[name]
        d = self.decl(name)
        got = None
        if d is not None and d.startswith("struct"):
            got = {}
            body = d[len("struct") :]
            if body.strip().startswith("{") and body.strip().endswith("}"):  # one-line struct
                body = body.strip()[1:-1].replace(";", "\n")
            depth = 0
            for line in body.split("\n"):
                text = _strip_comment(re.sub(r"`[^`]*`", "", line)).strip()
                if not text:
                    continue
                if depth == 0:
                    m = re.match(r"^([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+(\S.*)$", text)
                    if m:
                        for n in m.group(1).split(","):
                            got[n.strip()] = m.group(2).strip()
                    elif re.match(r"^\*?[\w.]+(\[.*\])?$", text):  # embedded: its name is the type's
                        got[text.lstrip("*").split("[")[0].split(".")[-1]] = text
                depth += text.count("{") - text.count("}")
        self._fields[name] = got
        return got

    def var_type(self, name: str) -> str | None:
        if name in self._vars:
            return self._vars[name]
        got = None
        rx = re.compile(
            rb"^(?:var\s+|\t)(?:[A-Za-z_]\w*\s*,\s*)*"
            + re.escape(name.encode())
            + rb"(?:\s*,\s*[A-Za-z_]\w*)*\s+([^\n=]*?)\s*(?:=\s*([^\n]*))?$",
            re.MULTILINE,
        )
        for data in self.sources:
            if name.encode() not in data:
                continue
            for m in _line_matches(data, name.encode(), rx):
                if data[m.start()] == 0x09 and not _in_var_block(data, m.start()):
                    continue
                declared = _strip_comment(m.group(1).decode("utf-8", "replace")).strip()
                value = _strip_comment((m.group(2) or b"").decode("utf-8", "replace")).strip()
                got = declared or _literal_type(value)
                break
            if got is not None:
                break
        self._vars[name] = got
        return got

    def held_long(self, name: str, rxs: list[LazyRegex[str]], depth: int = 0) -> bool:
        """Is type `name` kept by something long-lived: a package variable of that type, or a
        field of a struct that is itself long-lived (has a field matching `rxs`, or is held so)?"""
        key = f"{name}"
        got = self._held.get(key)
        if got is not None:
            return got
        self._held[key] = False  # a cycle of types holding each other proves nothing
        field = re.compile(
            rb"^(\t+)[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s+\*?(?:\[\])?" + re.escape(name.encode()) + rb"\b(?!\s*[({=.])", re.MULTILINE
        )
        var = re.compile(
            rb"^var\s+[A-Za-z_]\w*\s+\*?"
            + re.escape(name.encode())
            + rb"\b|^var\s+[A-Za-z_]\w*\s*=\s*&?(?:New)?"
            + re.escape(name.encode())
            + rb"\b",
            re.MULTILINE,
        )
        found = False
        for data in self.sources:
            if found or name.encode() not in data:
                continue
            if next(_line_matches(data, name.encode(), var), None) is not None:
                found = True
                break
            for m in _line_matches(data, name.encode(), field):
                owner = _enclosing_struct(data, m.start(), len(m.group(1)))
                if owner is None or owner == name:
                    continue
                if self.has_field_of(owner, rxs) or (depth < 2 and self.held_long(owner, rxs, depth + 1)):
                    found = True
                    break
        self._held[key] = found
        return found

    def has_field_of(self, type_text: str, rxs: list[LazyRegex[str]]) -> bool:
        fields = self.fields(_named(type_text) or "")
        return fields is not None and any(rx.search(t) for t in fields.values() for rx in rxs)

    def type_of(self, expr: Node, fn: FuncInfo, pass_: Pass, depth: int = 0) -> str | None:
        """The declared type of `s.cache`, `cache`, `*h`: params, locals' `var`, package vars and
        struct fields of the package; None when any step is unknown."""
        if depth > 4:
            return None
        f = pass_.file
        t = expr.type
        if t == "parenthesized_expression" and expr.named_children:
            return self.type_of(expr.named_children[0], fn, pass_, depth + 1)
        if t == "identifier":
            got = declared_type(pass_, expr)
            if got is not None:
                return got
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            outer = fns.outermost(expr) or fn
            name = f.text(expr)
            if outer.receiver == name and outer.receiver_type is not None:
                return outer.receiver_type
            for facts in (fns.facts(fn), fns.facts(outer)):
                for ranged in _range_sources(facts.uses(name), values_only=True):
                    rt = self.type_of(ranged, fn, pass_, depth + 1)
                    elem = self.element_type(rt) if rt is not None else None
                    if elem is not None:
                        return elem
            if fns.facts(fn).declares(name) or fns.facts(outer).declares(name):
                return None
            return self.var_type(name)
        if t == "unary_expression":
            op = expr.child_by_field_name("operator")
            operand = expr.child_by_field_name("operand")
            if op is None or operand is None or op.type != "*":
                return None
            inner = self.type_of(operand, fn, pass_, depth + 1)
            return inner[1:].strip() if inner is not None and inner.startswith("*") else inner
        if t == "selector_expression":
            operand = expr.child_by_field_name("operand")
            field = expr.child_by_field_name("field")
            if operand is None or field is None:
                return None
            owner = self.type_of(operand, fn, pass_, depth + 1)
            named = _named(owner) if owner is not None else None
            fields = self.fields(named) if named is not None else None
            return fields.get(f.text(field)) if fields is not None else None
        return None

    def element_type(self, type_text: str) -> str | None:
        """`*T` for `[]*T`, through named slice types (`type H []*T`)."""
        t = type_text.strip()
        for _ in range(3):
            if t.startswith("[]"):
                return t[2:].strip()
            named = _named(t)
            d = self.decl(named) if named is not None else None
            if d is None:
                return None
            t = d.strip()
        return None

    def has_pointers(self, type_text: str, depth: int = 0) -> bool | None:
        """Can a value of this type keep other memory reachable? None: not known here."""
        t = type_text.strip()
        if t.startswith(("*", "[]", "map[", "chan ", "chan<-", "<-chan", "func", "interface")) or t in ("any", "string", "error"):
            return True
        if t in _SCALARS:
            return False
        m = _ARRAY_TYPE.match(t)
        if m:
            return self.has_pointers(t[m.end() :], depth + 1)
        if depth > 3 or "." in t:
            return None
        named = _named(t)
        d = self.decl(named) if named is not None else None
        if d is None:
            return None
        if d.startswith("struct"):
            fields = self.fields(named or "") or {}
            answers = [self.has_pointers(ft, depth + 1) for ft in fields.values()]
            if any(a is True for a in answers):
                return True
            return False if all(a is False for a in answers) else None
        return self.has_pointers(d, depth + 1)


_SCALARS = frozenset(
    "bool byte rune int int8 int16 int32 int64 uint uint8 uint16 uint32 uint64 uintptr float32 float64 complex64 complex128".split()
)


def _named(type_text: str | None) -> str | None:
    """`Server` for `*Server` or `Server[K, V]`: a type declared in this package, or None."""
    if type_text is None:
        return None
    t = type_text.strip().lstrip("*").split("[")[0].strip()
    return t if re.fullmatch(r"[A-Za-z_]\w*", t) else None


def _literal_type(value: str) -> str | None:
    """`sync.Map` for `&sync.Map{}`, `new(sync.Map)`, `sync.Map{}`, `make(map[K]V)`."""
    m = re.match(r"^&?((?:map\[|\[\]|[\w.])[^{(]*)\{", value)
    if m:
        return ("*" if value.startswith("&") else "") + m.group(1)
    m = re.match(r"^new\(([\w.]+)\)$", value)
    if m:
        return "*" + m.group(1)
    m = re.match(r"^make\((map\[[^,]+|\[\][^,)]+)", value)
    return m.group(1).strip() if m else None


def _strip_comment(text: str) -> str:
    i = text.find("//")
    return text[:i] if i != -1 else text


def _in_type_block(data: bytes, pos: int) -> bool:
    """Is the line at `pos` inside a `type (...)` block (the last column-0 opener before it)?"""
    i = data.rfind(b"\ntype (", 0, pos)
    return i != -1 and data.find(b"\n)", i, pos) == -1


def _in_var_block(data: bytes, pos: int) -> bool:
    i = data.rfind(b"\nvar (", 0, pos)
    return i != -1 and data.find(b"\n)", i, pos) == -1


def _drops_elements(f: Any, sl: Node) -> bool:
    """`q[1:]`, `q[k:]` (a prefix dropped) or `q[:n-1]`, `q[0:len(q)-1]` (a suffix dropped);
    not `q[:0]` (a reset for reuse: the next appends overwrite the slots) nor `q[:n]`."""
    start = sl.child_by_field_name("start")
    end = sl.child_by_field_name("end")
    if sl.child_by_field_name("capacity") is not None:
        return False
    if start is not None and f.text(start).strip() != "0":
        return end is None
    if end is None or end.type != "binary_expression":
        return False
    op = end.child_by_field_name("operator")
    right = end.child_by_field_name("right")
    return op is not None and op.type == "-" and right is not None and right.type == "int_literal"


class _Span:
    def __init__(self, start: int, end: int) -> None:
        self._span = (start, end)

    def span(self) -> tuple[int, int]:
        return self._span

    def start(self) -> int:
        return self._span[0]


class _SliceOrCall:
    """What a declaration must contain, as a pattern-like object: a slice expression (SLICE_TEXT)
    or one of the calls' literal texts; `search` gives the earliest, with a regex scan and plain
    finds (each fast; one regex alternating them is twenty times slower). The needles a file
    holds at all are found once per file."""

    def __init__(self, needles: list[bytes]) -> None:
        self.needles = needles
        self._groups: dict[bytes, list[bytes]] = {}  # by the text before the first dot: `strings.`
        for n in needles:
            self._groups.setdefault(n.split(b".")[0] + b"." if b"." in n[1:] else n, []).append(n)
        self._data: bytes | None = None
        self._present: list[bytes] = []

    def present(self, data: bytes) -> list[bytes]:
        if data is not self._data:
            self._data = data
            self._present = [n for head, ns in self._groups.items() if head in data for n in ns if n in data]
        return self._present

    def search(self, data: bytes, pos: int = 0, endpos: int | None = None) -> _Span | None:
        end = len(data) if endpos is None else endpos
        m = SLICE_TEXT.search(data, pos, end)
        best = m.span() if m is not None else None
        for n in self.present(data):
            i = data.find(n, pos, best[0] if best is not None else end)
            if i != -1 and i + len(n) <= end and (best is None or i < best[0]):
                best = (i, i + len(n))
        return _Span(*best) if best is not None else None


def _line_matches(data: bytes, name: bytes, rx: re.Pattern[bytes]) -> Iterator[re.Match[bytes]]:
    """`rx` (written for a line's start) matched on each line where `name` occurs as a word:
    finding the name is a fast scan, a `^`-anchored multi-line regex is not."""
    last = -1
    for i in word_positions(data, name):
        start = data.rfind(b"\n", 0, i) + 1
        if start == last:
            continue
        last = start
        end = data.find(b"\n", i)
        m = rx.match(data, start, len(data) if end == -1 else end)
        if m is not None:
            yield m


def _bare(n: Node) -> Node:
    """`m` for `m[k]`, `(m)`: the container under indexing and parentheses."""
    while n.type in ("parenthesized_expression", "index_expression"):
        inner = n.child_by_field_name("operand") if n.type == "index_expression" else (n.named_children[0] if n.named_children else None)
        if inner is None:
            break
        n = inner
    return n


def _zero_length(f: Any, sl: Node) -> bool:
    end = sl.child_by_field_name("end")
    start = sl.child_by_field_name("start")
    return end is not None and f.text(end).strip() == "0" and (start is None or f.text(start).strip() == "0")


_STRUCT_OPENER = re.compile(rb"^(?:type\s+|\t)([A-Za-z_]\w*)(?:\[[^\]\n]*\])?\s+struct\s*\{\s*$", re.MULTILINE)


def _enclosing_struct(data: bytes, pos: int, indent: int) -> str | None:
    """The name of the struct type whose field is the line at `pos` (indented `indent` tabs)."""
    opener = _STRUCT_OPENER
    best = None
    lo = max(0, data.rfind(b"\ntype ", 0, pos))
    for m in opener.finditer(data, lo, pos):
        best = m
    if best is None:
        return None
    closer = b"\n}" if data[best.start()] != 0x09 else b"\n\t}"
    if data.find(closer, best.end(), pos) != -1:
        return None
    return best.group(1).decode()


def _is_operand(p: Node, n: Node) -> bool:
    operand = p.child_by_field_name("operand")
    return operand is not None and operand.id == n.id


def _range_sources(occurrences: list[Node], values_only: bool = False) -> list[Node]:
    """For a variable declared by `for k, v := range X`: X (each value is an element of it).
    `values_only`: only for `v` (the second variable), whose type is X's element type."""
    out = []
    for occ in occurrences:
        p = occ.parent
        if p is None or p.type != "expression_list" or p.parent is None or p.parent.type != "range_clause":
            continue
        if values_only and (len(p.named_children) != 2 or p.named_children[1].id != occ.id):
            continue
        clause = p.parent
        left = clause.child_by_field_name("left")
        right = clause.child_by_field_name("right")
        if left is not None and left.id == p.id and right is not None and any(c.type == ":=" for c in clause.children):
            out.append(right)
    return out


def _method_name(pass_: Pass, node: Node) -> str | None:
    if node.type != "call_expression":
        return None
    callee = node.child_by_field_name("function")
    if callee is None or callee.type != "selector_expression":
        return None
    field = callee.child_by_field_name("field")
    return pass_.file.text(field) if field is not None else None


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


def _squash(text: str) -> str:
    return "".join(text.split())


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "..."
