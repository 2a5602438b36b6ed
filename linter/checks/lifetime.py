"""`lifetime`: an acquired resource is neither released nor handed off.

The matched node is the acquiring call. Its callee picks a `resources` entry (regex -> release
methods). The value is followed through local aliases in the enclosing function:

* released: `v.Close()` (or another listed method) on the normal path -- deferred, in a deferred
  or goroutine closure, or inline; a release only inside `if err != nil {` does not count;
* handed off (no finding): returned, stored in a field/map/slice/package variable, put in a
  composite literal, sent on a channel, address taken, or passed to a call. A call into the same
  package is followed (does the callee release or hand off that parameter?); any other call is
  assumed to take ownership unless it matches `non-owning` -- unknown code gets the benefit of
  the doubt, because a noisy rule gets switched off.

Values created in process-lifetime functions (`main`, `init`, `TestMain`) or assigned to package
variables are not leaks per call; `long-lived: info` reports them at info severity instead.
"""

from __future__ import annotations

import re
from typing import Any

import tree_sitter

from linter.analysis.callgraph import lexical_loop
from linter.analysis.flow import Use, callee_text, on_error_path, use_of
from linter.analysis.framework import Pass
from linter.analysis.functions import FUNCTIONS, PACKAGE_DECLS, FileFunctions, FuncInfo, PackageDecls
from linter.checks.base import STRING_LIST, Check, CheckConfigError, Verdict
from linter.lazyregex import LazyRegex
from linter.parsing import SourceFile
from linter.patterns import Env

Node = tree_sitter.Node

RELEASED, HANDED_OFF, LEAKED = "released", "handed-off", "leaked"


def _in_goroutine(node: Node, stop: Node) -> bool:
    """Is `node` inside a func literal started with `go` (below `stop`)?"""
    n = node.parent
    while n is not None and n.id != stop.id:
        if n.type == "func_literal":
            call = n.parent
            if call is not None and call.type == "call_expression" and call.parent is not None and call.parent.type == "go_statement":
                return True
        n = n.parent
    return False


class LifetimeCheck(Check):
    name = "lifetime"
    provides = ("VALUE", "RELEASE", "WHEN", "CALLEE")
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["resources"],
        "properties": {
            "resources": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["callee", "release"],
                    "properties": {"callee": {"type": "string"}, "release": STRING_LIST, "first-arg": {"type": "string"}},
                },
            },
            "callee": {"type": "string"},
            "non-owning": STRING_LIST,
            "long-lived-functions": STRING_LIST,
            "long-lived": {"enum": ["ignore", "info"]},
            "request-params": STRING_LIST,
            "long-lived-params": STRING_LIST,
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 5},
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        self.resources: list[tuple[LazyRegex[str], set[str], LazyRegex[str] | None]] = []
        for i, r in enumerate(params["resources"]):
            compiled: dict[str, LazyRegex[str]] = {}
            for key in ("callee", "first-arg"):
                try:
                    if key in r:
                        compiled[key] = LazyRegex(r[key])
                except re.error as e:
                    raise CheckConfigError(f"resources[{i}].{key}: invalid regex: {e}", ["resources", i, key]) from None
            self.resources.append((compiled["callee"], set(r["release"]), compiled.get("first-arg")))
        self._any_resource: re.Pattern[str] | bool | None = None  # built on first use
        self.callee_var = self.metavar("callee")
        self.non_owning = self.regexes("non-owning", [r"^(fmt|log|errors|strings|strconv)\.", r"^(len|cap|print|println)$"])
        self.long_lived_fns = set(params.get("long-lived-functions", ["main", "init", "TestMain"]))
        self.long_lived = params.get("long-lived", "ignore")
        self.request_params = self.regexes(
            "request-params",
            [r"^\*http\.Request$", r"^\*gin\.Context$", r"^echo\.Context$", r"^\*fiber\.Ctx$", r"^\*fasthttp\.RequestCtx$"],
        )
        self.max_depth = params.get("max-depth", 2)
        # command-line actions run once per process, like main
        self.long_lived_params = self.regexes("long-lived-params", [r"^\*cli\.Context$", r"^\*cobra\.Command$"])

    def prefilter_sets(self) -> list[list[str]] | None:
        """Literal text the resources need (any one list, all of its members), derived from the
        callee regexes, so a file that cannot contain an acquiring call is not even parsed."""
        from linter.regexlit import required_conjunctions

        sets: list[list[str]] = []
        for rx, _, _ in self.resources:
            conj = required_conjunctions(rx.compiled)
            if not conj:
                return None
            sets.extend(conj)
        return sets

    def candidate_text(self) -> list[list[str]] | None:
        """A call is kept only if its callee, part of its text, matches a resource: the callee
        regexes' literals are in the call's text."""
        return self.prefilter_sets()

    def quick_reject(self, node: Node, pass_: Pass) -> bool:
        """Is the callee one of the resources at all?"""
        fn = node.child_by_field_name("function") if node.type == "call_expression" else None
        if fn is None or fn.type not in ("selector_expression", "identifier"):
            return fn is None
        text = pass_.file.text(fn)
        if self._any_resource is None:
            try:  # one search instead of one per resource; a pattern with inline flags can't be joined
                self._any_resource = re.compile("|".join(f"(?:{rx.pattern})" for rx, _, _ in self.resources))
            except re.error:
                self._any_resource = False
        if self._any_resource is False:
            return not any(rx.search(text) for rx, _, _ in self.resources)
        return self._any_resource.search(text) is None  # type: ignore[union-attr]

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        f = pass_.file
        callee_node = env.get(self.callee_var) if self.callee_var else node.child_by_field_name("function")
        if not isinstance(callee_node, Node):
            return None
        callee = f.text(callee_node)
        args = node.child_by_field_name("arguments") if node.type == "call_expression" else None
        first_arg = f.text(args.named_children[0]) if args is not None and args.named_children else ""
        release = next(
            (rel for rx, rel, first in self.resources if rx.search(callee) and (first is None or first.search(first_arg))),
            None,
        )
        if release is None:
            return None
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        if fn is None:
            return None  # package-level `var c = NewClient()`: lives for the process
        outer = fns.outermost(node) or fn
        use = use_of(node)
        value = "the result"
        if use.kind == "var" and use.node is not None:
            value = f.text(use.node)
            if not fns.facts(fn).declares(value):
                if not fns.facts(outer).declares(value):
                    return self._long_lived(node, callee, release, value, "it is assigned to a package variable")
                return None  # assigned to a variable of an enclosing function: that function owns it
        state = self._fate(f, pass_, use, fn, release, 0)
        if state != LEAKED:
            return None
        if outer.name in self.long_lived_fns and not outer.receiver_type:
            return self._long_lived(node, callee, release, value, f"it is created in {outer.name}")
        for info in {id(fn): fn, id(outer): outer}.values():
            if any(rx.search(t) for _, t in info.params for rx in self.long_lived_params):
                return self._long_lived(node, callee, release, value, "it is created by a command-line action")
        return Verdict(vars={"VALUE": value, "CALLEE": callee, "RELEASE": "/".join(sorted(release)), "WHEN": self._when(f, node, outer)})

    def _long_lived(self, node: Node, callee: str, release: set[str], value: str, why: str) -> Verdict | None:
        if self.long_lived == "ignore":
            return None
        when = f"{why} and lives for the whole process"
        return Verdict(vars={"VALUE": value, "CALLEE": callee, "RELEASE": "/".join(sorted(release)), "WHEN": when}, severity="info")

    def _when(self, f: SourceFile, node: Node, outer: FuncInfo) -> str:
        loop = lexical_loop(node)
        if loop is not None:
            return f"a new one is created on every iteration of the loop at line {loop.start_point[0] + 1}"
        if any(any(rx.search(t) for rx in self.request_params) for _, t in outer.params):
            return f"{outer.display} creates one on every request and leaks it"
        if (
            outer.receiver_type
            and len(outer.params) == 2
            and outer.params[0][1] == "context.Context"
            and outer.params[1][1].startswith("*")
        ):
            return f"the RPC method {outer.display} creates one on every call and leaks it"
        return f"every call of {outer.display} leaks one"

    # -- following the value ---------------------------------------------------------------------
    def _fate(self, f: SourceFile, pass_: Pass, use: Use, fn: FuncInfo, release: set[str], depth: int) -> str:
        k = use.kind
        if k in ("return", "store", "composite", "send", "address"):
            return HANDED_OFF
        if k == "receiver":
            sel = use.node
            field = sel.child_by_field_name("field") if sel is not None else None
            if sel is None or sel.parent is None or sel.parent.type != "call_expression":
                return HANDED_OFF  # `time.NewTicker(d).C`: the field lives as long as its user
            return RELEASED if field is not None and f.text(field) in release else LEAKED
        if k == "arg" and use.node is not None:
            return self._passed(f, pass_, use.node, use.index, release, depth)
        if k == "var" and use.node is not None:
            return self._follow_var(f, pass_, fn, f.text(use.node), use.node, release, depth)
        if k == "discard":
            return LEAKED
        return HANDED_OFF  # a context we do not model: stay quiet

    def _follow_var(self, f: SourceFile, pass_: Pass, fn: FuncInfo, name: str, decl: Node, release: set[str], depth: int) -> str:
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        if any(n == name for n, _ in fn.results):
            return HANDED_OFF  # named result: returned implicitly
        facts = fns.facts(fn)
        names, todo, fate = {name}, [name], LEAKED
        body = fn.body or fn.node
        while todo:
            current = todo.pop()
            for occ in facts.uses(current):
                if occ.id == decl.id:
                    continue
                use = use_of(occ)
                if use.kind == "var" and use.node is not None:
                    if use.node.id == occ.id:
                        continue  # reassignment of the variable itself
                    alias = f.text(use.node)
                    if fns.facts(fn).declares(alias):
                        if alias not in names:
                            names.add(alias)
                            todo.append(alias)
                        continue
                    return HANDED_OFF  # stored into a package variable
                if _in_goroutine(occ, body):
                    # a goroutine that uses it owns it (it may run for the life of the process);
                    # a goroutine that closes it counts as a release below
                    sel = occ.parent
                    field = sel.child_by_field_name("field") if sel is not None and sel.type == "selector_expression" else None
                    if field is not None and f.text(field) in release:
                        fate = RELEASED
                        continue
                    return HANDED_OFF
                if use.kind == "discard" or use.kind == "other":
                    continue
                if use.kind == "receiver":
                    sel = use.node
                    field = sel.child_by_field_name("field") if sel is not None else None
                    if field is not None and f.text(field) in release and not on_error_path(f, occ, body):
                        fate = RELEASED
                    continue
                result = self._fate(f, pass_, use, fn, release, depth)
                if result == HANDED_OFF:
                    return HANDED_OFF
                if result == RELEASED and not on_error_path(f, occ, body):
                    fate = RELEASED
        return fate

    def _passed(self, f: SourceFile, pass_: Pass, call: Node, index: int, release: set[str], depth: int) -> str:
        callee = callee_text(f, call)
        if any(rx.search(callee) for rx in self.non_owning):
            return LEAKED
        target = self._same_package_callee(f, pass_, call)
        if target is None or depth >= self.max_depth:
            return HANDED_OFF  # unknown code: assume it takes ownership
        if index >= len(target.params):
            return HANDED_OFF
        pname = target.params[index][0]
        if pname.startswith("...") or pname == "_":
            return LEAKED if pname == "_" else HANDED_OFF
        tpass = pass_.file_pass(target.file)
        return self._follow_var(target.file, tpass, target, pname, target.node, release, depth + 1)

    def _same_package_callee(self, f: SourceFile, pass_: Pass, call: Node) -> FuncInfo | None:
        fn_node = call.child_by_field_name("function")
        if fn_node is None or fn_node.type != "identifier":
            return None
        decls: PackageDecls = pass_.result_of(PACKAGE_DECLS)
        cands = decls.functions_named(f.text(fn_node))
        return cands[0] if len(cands) == 1 else None
