"""`lifetime`: an acquired resource is neither released nor handed off.

The matched node is the acquiring call. Its callee picks a `resources` entry: a callee regex
(for an `import` entry, the function's name, with its package qualifier resolved through the
file's imports) -> the release methods. An entry that does not know them (`release: []` with
`release-evidence`) takes them from the scanned code: the constructor's declared result type's
methods, or the same constructor's results released elsewhere in the package. No known release
method: no finding. The value is followed through local aliases in the enclosing function:

* released: `v.Close()` (or another listed method) on the normal path -- deferred, in a deferred
  or goroutine closure, or inline; a release only inside `if err != nil {` does not count;
* handed off (no finding): returned, stored in a field/map/slice/package variable, put in a
  composite literal, sent on a channel, address taken, or passed to a call. A call into the same
  package is followed (does the callee release or hand off that parameter?); any other call is
  assumed to take ownership unless it matches `non-owning` -- unknown code gets the benefit of
  the doubt, because a noisy rule gets switched off;
* kept alive by a derived handle (`s.bucket = c.Bucket(n)`, `&Store{api: pb.NewAPIClient(conn)}`)
  that is stored or returned, in a function that does not run in a loop: handed off;
* released, but a `return` (or `continue`/`break`) between the acquisition and the release skips
  it: leaked on that path (reported as a warning).

`unreleasable` resources (`time.Tick`) leak whatever happens to the value, once per call of a
function that is not process-lived.

Values created in process-lifetime functions (`main`, `init`, `TestMain`) or assigned to package
variables are not leaks per call; `long-lived: info` reports them at info severity instead.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any

import tree_sitter

from linter.analysis.callgraph import CALLGRAPH, CallGraph, lexical_loop, loop_kind
from linter.analysis.flow import Use, callee_text, on_error_path, use_of, within
from linter.analysis.framework import Pass
from linter.analysis.functions import (
    FUNCTIONS,
    METHOD_CALL,
    PACKAGE_DECLS,
    FileFunctions,
    FuncInfo,
    PackageDecls,
    assigned_value,
    is_declaration,
    name_occurrences,
)
from linter.checks.base import STRING_LIST, Check, CheckConfigError, Verdict
from linter.fix.facts import ACQUISITION, BEFORE_RETURN, ERROR_PATH, NEVER_RELEASED, UNRELEASABLE, Acquisition
from linter.lazyregex import LazyRegex
from linter.parsing import Ancestry, SourceFile
from linter.patterns import Env
from linter.safeio import read_head

Node = tree_sitter.Node

RELEASED, HANDED_OFF, LEAKED = "released", "handed-off", "leaked"
# kept alive by a derived handle that is stored or returned: handed off unless the function repeats
HANDLE = "handle"

_VERSION_ELEMENT = re.compile(r"v\d+|apiv\d+\w*")
_STATEMENT_PARENTS = ("block", "statement_list", "expression_case", "type_case", "communication_case", "default_case")

# loops that repeat for the life of the process (a pass over a configured list does not)
_REPEATING = frozenset({"forever", "condition", "channel-range"})
# result types that are values, not handles that could keep a client alive
_PLAIN_RESULT = re.compile(
    r"^(error|string|bool|byte|rune|u?int(8|16|32|64)?|float(32|64)|complex(64|128)|\[\]byte|\[\]string|time\.(Time|Duration)|any|interface\{\})$"
)
_CONTEXT_ARG = re.compile(r"(?i)(^ctx$|ctx\b|context\b|\.Context\(\)$)")


def _deferred_past_loop(occ: Node, decl: Node, f: SourceFile | None = None) -> bool:
    """`occ` is in a `defer` that runs only when the function around the loop that made `decl`
    returns (not in a func literal invoked per iteration): it releases nothing per iteration."""
    loop = lexical_loop(decl, f)
    if loop is None or not (loop.start_byte <= occ.start_byte < loop.end_byte):
        return False
    n = occ.parent
    deferred = False
    while n is not None and n.id != loop.id:
        if n.type == "defer_statement":
            deferred = True  # `defer conn.Close()` or `defer func() { conn.Close() }()`
        elif n.type == "func_literal" and deferred:
            return False  # a closure invoked per iteration returns, and runs its defers, each time
        n = n.parent
    return deferred


def _callback(fn: FuncInfo) -> Node | None:
    """The call that `fn` (a func literal) is handed to as an argument (a registered callback
    that runs later, per call), or None."""
    if fn.node.type != "func_literal":
        return None
    p = fn.node.parent
    if p is None or p.type != "argument_list" or p.parent is None or p.parent.type != "call_expression":
        return None
    return p.parent


def _callback_of(node: Node, outer: FuncInfo) -> tuple[Node, Node] | None:
    """The outermost callback literal (and the call it is handed to) between `node` and `outer`."""
    found = None
    up = outer.file.parent  # (Node.parent costs the node's depth: see Ancestry)
    n = up(node)
    while n is not None and n.id != outer.node.id:
        args = up(n) if n.type == "func_literal" else None
        if args is not None and args.type == "argument_list":
            call = up(args)
            if call is not None and call.type == "call_expression":
                found = (n, call)
        n = up(n)
    return found


def _literal_param_types(f: SourceFile, lit: Node) -> list[str]:
    params = lit.child_by_field_name("parameters")
    out = []
    for p in params.named_children if params is not None else []:
        t = p.child_by_field_name("type")
        if t is not None:
            out.append(f.text(t))
    return out


def _operation(f: SourceFile, call: Node) -> bool:
    """`c.CreateCompany(ctx, req)`, `c.Topic(id).IAM().Policy(ctx)`: a chain ending in a call
    that takes a context is an operation that returns data; handle accessors (`client.Bucket(name)`,
    `client.Topic(id)`) take none."""
    n: Node | None = call
    while n is not None and n.type == "call_expression":
        args = n.child_by_field_name("arguments")
        if args is not None and args.named_children and _CONTEXT_ARG.search(f.text(args.named_children[0])):
            return True
        sel = n.parent
        if sel is None or sel.type != "selector_expression" or sel.parent is None or sel.parent.type != "call_expression":
            return False
        n = sel.parent
    return False


@dataclass(frozen=True)
class Resource:
    callee: LazyRegex[str]
    release: frozenset[str]
    first_arg: LazyRegex[str] | None = None
    import_path: LazyRegex[str] | None = None  # the callee's package, resolved through the imports
    evidence: tuple[str, ...] = ()  # candidate release methods, kept only if the scanned code shows them
    unreleasable: bool = False
    order: tuple[str, ...] = ()  # the release methods as listed (the first is the one a fix uses)
    # (holder type, field): a value put in that field of a local holder (`&http.Client{Transport: tr}`,
    # `c.Transport = tr`) shares the holder's fate; the holder is released by the same methods
    holders: tuple[tuple[LazyRegex[str], str], ...] = ()
    # (field, value): a literal or variable with that field set so is not a resource (`DisableKeepAlives: true`)
    unless_set: tuple[tuple[str, LazyRegex[str]], ...] = ()
    # code of the creating function that shows the value keeps nothing (`req.Close = true`)
    unless_code: tuple[LazyRegex[str], ...] = ()
    # holds nothing until it is used (a Transport dials on its first request): no error-path findings
    lazy: bool = False
    # a method call `x.M(...)` whose receiver `x` the code shows to be of this type (`*` removed)
    receiver_type: LazyRegex[str] | None = None
    # ... or whose receiver is (or is a local/package variable assigned) an expression like this
    receiver_value: LazyRegex[str] | None = None

    @property
    def by_name(self) -> bool:
        """Is `callee` matched against the function's (method's) name only?"""
        return self.import_path is not None or self.receiver_type is not None or self.receiver_value is not None


def _literal_type(node: Node) -> Node | None:
    """The type of a composite literal acquisition (`&http.Transport{...}`, `http.Transport{}`):
    a value built in place that owns resources, like a constructor's result."""
    lit = node.child_by_field_name("operand") if node.type == "unary_expression" else node
    return lit.child_by_field_name("type") if lit is not None and lit.type == "composite_literal" else None


def _in_goroutine(node: Node, stop: Node) -> bool:
    """Is `node` inside a func literal started with `go` (below `stop`)?"""
    up = Ancestry(stop).parent  # one descent from `stop`, not a descent from the root per step
    n = up(node)
    while n is not None and n.id != stop.id:
        if n.type == "func_literal":
            call = up(n)
            go = up(call) if call is not None else None
            if call is not None and call.type == "call_expression" and go is not None and go.type == "go_statement":
                return True
        n = up(n)
    return False


@functools.lru_cache(maxsize=4096)
def import_names(path: str) -> frozenset[str]:
    """The names an unaliased import is likely known by: its last element, the element before a
    version (`cloud.google.com/go/vision/apiv1` is `vision`, `go-redis/redis/v8` is `redis`),
    without `go-`/`-go`/`.v2` decorations."""
    parts = path.split("/")
    names = {parts[-1]}
    i = len(parts) - 1
    while i > 0 and _VERSION_ELEMENT.fullmatch(parts[i]):
        i -= 1
        names.add(parts[i])
    for n in list(names):
        bare = re.sub(r"^go-|-go$|\.v\d+$|^go\.", "", n)
        names.update({bare, bare.replace("-", ""), bare.replace("-", "_")})
    return frozenset(names)


def file_imports(f: SourceFile) -> tuple[dict[str, str], list[str]]:
    """(alias -> path for named imports, paths of unaliased imports)."""
    named: dict[str, str] = {}
    plain: list[str] = []
    for decl in f.tree.root_node.named_children:
        if decl.type == "package_clause" or decl.type == "comment":
            continue
        if decl.type != "import_declaration":
            break  # imports come first
        specs = [c for c in decl.named_children if c.type == "import_spec"]
        for lst in (c for c in decl.named_children if c.type == "import_spec_list"):
            specs.extend(c for c in lst.named_children if c.type == "import_spec")
        for spec in specs:
            pnode = spec.child_by_field_name("path")
            if pnode is None:
                continue
            path = f.text(pnode).strip('"`')
            name = spec.child_by_field_name("name")
            if name is None:
                plain.append(path)
            elif name.type == "package_identifier":
                named[f.text(name)] = path
    return named, plain


def _statement_of(node: Node, stop: Node) -> Node | None:
    """The statement (a direct child of a block) holding `node`, crossing a func literal only when
    it is deferred: `defer func() { c.Close() }()` is at the place of its `defer`. None when the
    node is in a func literal that runs elsewhere (a goroutine, a callback, a closure variable)."""
    up = Ancestry(stop).parent  # one descent from `stop`, not a descent from the root per step
    n = up(node)
    while n is not None and n.id != stop.id:  # the outermost func literal below `stop`
        if n.type == "func_literal":
            call = up(n)
            deferred = up(call) if call is not None else None
            if call is None or call.type != "call_expression" or deferred is None or deferred.type != "defer_statement":
                return None
            node = deferred
        n = up(n)
    n = node
    p = up(n)
    while p is not None and n.id != stop.id:
        if p.type in _STATEMENT_PARENTS and n.is_named:
            return n
        n, p = p, up(p)
    return None


def _inside(f: SourceFile, node: Node, kind: str, stop: Node) -> Node | None:
    """The nearest ancestor of `node` of type `kind` below `stop`, not crossing a func literal."""
    for n in f.ancestors(node):  # (Node.parent costs the node's depth: see Ancestry)
        if n.id == stop.id or n.type == "func_literal":
            return None
        if n.type == kind:
            return n
    return None


def _block_statements(block: Node) -> list[Node]:
    """The statements of a block (tree-sitter-go wraps them in a statement_list)."""
    out: list[Node] = []
    for c in block.named_children:
        out.extend(c.named_children if c.type == "statement_list" else [c])
    return out


def _exits(body: Node, lo: int, hi: int) -> list[Node]:
    """return / continue / break statements of the function body (not of nested func literals)
    between byte offsets lo and hi."""
    out: list[Node] = []
    stack = [body]
    while stack:
        n = stack.pop()
        if n.end_byte <= lo or n.start_byte >= hi:
            continue
        if n.type == "func_literal":
            continue
        if n.type in ("return_statement", "continue_statement", "break_statement") and n.start_byte > lo:
            out.append(n)
            continue
        stack.extend(n.named_children)
    return out


_LEAVES = re.compile(r"^(panic|(\w+\.)*(Fatal\w*|Panic\w*|Exit|Goexit|SkipNow|FailNow))$")


def _error_var(f: SourceFile, stmt: Node, call: Node) -> str | None:
    """The name receiving the error result of `call` in `v, err := call` (`var v, err = call`):
    the second of two names for a single call; None when there is no second result."""
    if stmt.type == "var_declaration":
        spec = next((c for c in stmt.named_children if c.type == "var_spec"), None)
        if spec is None or len([c for c in stmt.named_children if c.type == "var_spec"]) != 1:
            return None
        names = spec.children_by_field_name("name")
        value = spec.child_by_field_name("value")
        rights = value.named_children if value is not None and value.type == "expression_list" else ([value] if value else [])
    else:
        left, right = stmt.child_by_field_name("left"), stmt.child_by_field_name("right")
        if left is None or right is None:
            return None
        names, rights = left.named_children, right.named_children
    if len(rights) != 1 or rights[0].id != call.id or len(names) != 2:
        return None
    return f.text(names[1])


def _error_check(f: SourceFile, stmt: Node, err: str | None) -> Node | None:
    """The `if err != nil { ... }` (no initializer) right after `stmt`, comments aside."""
    nxt = stmt.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    if nxt is None or nxt.type != "if_statement" or err is None or nxt.child_by_field_name("initializer") is not None:
        return None
    cond = nxt.child_by_field_name("condition")
    e = re.escape(err)
    if cond is None or not re.fullmatch(rf"\s*(?:{e}\s*!=\s*nil|nil\s*!=\s*{e})\s*", f.text(cond)):
        return None
    return nxt


def _always_leaves(f: SourceFile, if_stmt: Node) -> bool:
    """Does the body of `if_stmt` (and each else branch, if any) end in a statement that leaves:
    return, continue, break, goto, panic, log.Fatal..., os.Exit, t.FailNow...?"""
    alt = if_stmt.child_by_field_name("alternative")
    if alt is not None and not (_always_leaves(f, alt) if alt.type == "if_statement" else _block_leaves(f, alt)):
        return False
    return _block_leaves(f, if_stmt.child_by_field_name("consequence"))


def _block_leaves(f: SourceFile, block: Node | None) -> bool:
    stmts = [s for s in _block_statements(block) if s.type != "comment"] if block is not None else []
    if not stmts:
        return False
    last = stmts[-1]
    if last.type in ("return_statement", "continue_statement", "break_statement", "goto_statement"):
        return True
    call = last.named_children[0] if last.type == "expression_statement" and last.named_children else None
    fn = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    return fn is not None and _LEAVES.match(re.sub(r"\s+", "", f.text(fn))) is not None


def _nil_guarded(site: Node, stop: Node, names: set[str]) -> Node:
    """`if resp != nil { defer resp.Body.Close() }` (no else): the release covers what follows the
    `if` as well as the unguarded statement would (a nil value holds nothing)."""
    block = site.parent
    if block is not None and block.type == "statement_list":
        block = block.parent
    stmt = block.parent if block is not None and block.type == "block" else None
    if stmt is None or stmt.type != "if_statement" or stmt.id == stop.id or stmt.child_by_field_name("alternative") is not None:
        return site
    cond = stmt.child_by_field_name("condition")
    text = cond.text.decode("utf-8", "replace") if cond is not None and cond.text is not None else ""
    for n in names:
        if re.fullmatch(rf"\s*{re.escape(n)}(\.\w+)?\s*!=\s*nil\s*", text):
            return stmt
    return site


def _own_error_check(f: SourceFile, acq: Node) -> Node | None:
    """`resp, err := c.Do(req); d := time.Since(t0); if err != nil { return err }`: the first
    `if` after the acquisition that tests the error it assigned, when nothing in between assigns
    that error again (the value is not valid in that branch)."""
    left = acq.child_by_field_name("left")
    ids = [c for c in left.named_children if c.type == "identifier"] if left is not None else []
    errs = [f.text(c) for c in ids[1:] if re.search(r"(?i)err", f.text(c))]
    if not errs:
        return None
    err = re.escape(errs[-1])
    nxt = acq.next_named_sibling
    while nxt is not None and nxt.type == "comment":
        nxt = nxt.next_named_sibling
    stmt: Node = acq
    while nxt is None:
        # the last statement of an if/else branch (`if x { resp, err = a() } else { resp, err =
        # b() }; if err != nil {`): the check follows the whole if
        block = stmt.parent
        if block is not None and block.type == "statement_list":
            block = block.parent
        up = block.parent if block is not None and block.type == "block" else None
        while up is not None and up.parent is not None and up.parent.type == "if_statement":
            up = up.parent  # `else if`
        if up is None or up.type != "if_statement":
            return None
        stmt = up
        nxt = stmt.next_named_sibling
    for _ in range(6):
        if nxt is None:
            return None
        text = f.text(nxt)
        if nxt.type == "if_statement":
            init = nxt.child_by_field_name("initializer")
            if init is not None and re.search(rf"(?<![\w.]){err}\s*(,\s*\w+\s*)*:=|,\s*{err}\s*:=", f.text(init)):
                nxt = nxt.next_named_sibling  # `if err := f(); err != nil`: another err
                continue
            cond = nxt.child_by_field_name("condition")
            if init is None and cond is not None and re.search(rf"(?<![\w.]){err}\s*!=\s*nil\b", f.text(cond)):
                return nxt
        if re.search(rf"(?<![\w.]){err}\s*(,\s*\w+\s*)*:?=[^=]|,\s*{err}\s*:?=[^=]", text):
            return None  # the error is assigned again before it is checked
        nxt = nxt.next_named_sibling
    return None


def _through_deref(use: Use) -> Use:
    """`return *resp, nil`: a copy of the struct carries its Body along, as the pointer would."""
    n = use.node
    if use.kind == "other" and n is not None and n.type == "unary_expression":
        op = n.child_by_field_name("operator")
        if op is not None and op.type == "*":
            return use_of(n)
    return use


def _block_returns(occ: Node, stop: Node) -> bool:
    """Does the block holding the statement of `occ` end in a `return` (so a `defer` there runs
    when this iteration leaves the function, not after the whole loop)?"""
    site = _statement_of(occ, stop)
    block = site.parent if site is not None else None
    if block is None:
        return False
    stmts = _block_statements(block) if block.type == "block" else list(block.named_children)
    stmts = [c for c in stmts if c.type != "comment"]
    return bool(stmts) and stmts[-1].type == "return_statement"


def _release_paths(release: frozenset[str]) -> dict[str, frozenset[str]]:
    """`{"Body.Close"}` -> `{"Body": {"Close"}}`: release methods reached through a field."""
    out: dict[str, set[str]] = {}
    for r in release:
        head, dot, rest = r.partition(".")
        if dot and head and rest:
            out.setdefault(head, set()).add(rest)
    return {k: frozenset(v) for k, v in out.items()}


class LifetimeCheck(Check):
    name = "lifetime"
    provides = ("VALUE", "RELEASE", "WHEN", "CALLEE", "LEAK")
    records = (ACQUISITION,)
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
                    "properties": {
                        "callee": {"type": "string"},
                        "release": STRING_LIST,
                        "first-arg": {"type": "string"},
                        "import": {"type": "string"},
                        "release-evidence": STRING_LIST,
                        "unreleasable": {"type": "boolean"},
                        "held-by": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["type", "field"],
                                "properties": {"type": {"type": "string"}, "field": {"type": "string"}},
                            },
                        },
                        "unless-set": {"type": "object", "additionalProperties": {"type": "string"}},
                        "unless-code": STRING_LIST,
                        "lazy": {"type": "boolean"},
                        "receiver-type": {"type": "string"},
                        "receiver-value": {"type": "string"},
                    },
                },
            },
            "callee": {"type": "string"},
            "non-owning": STRING_LIST,
            "wrappers": STRING_LIST,
            "long-lived-functions": STRING_LIST,
            "long-lived": {"enum": ["ignore", "info"]},
            "request-params": STRING_LIST,
            "long-lived-params": STRING_LIST,
            "test-params": STRING_LIST,
            "test-imports": STRING_LIST,
            "max-depth": {"type": "integer", "minimum": 0, "maximum": 5},
            "error-path-severity": {"enum": ["error", "warning", "info"]},
        },
    }

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, Any]) -> None:
        super().__init__(params, metavars, utils)
        self.resources: list[Resource] = []
        for i, r in enumerate(params["resources"]):
            compiled: dict[str, LazyRegex[str]] = {}
            for key in ("callee", "first-arg", "import", "receiver-type", "receiver-value"):
                try:
                    if key in r:
                        compiled[key] = LazyRegex(r[key])
                except re.error as e:
                    raise CheckConfigError(f"resources[{i}].{key}: invalid regex: {e}", ["resources", i, key]) from None
            holders: list[tuple[LazyRegex[str], str]] = []
            unless: list[tuple[str, LazyRegex[str]]] = []
            code: list[LazyRegex[str]] = []
            where: list[str | int] = []
            try:
                for j, h in enumerate(r.get("held-by", ())):
                    where = ["held-by", j, "type"]
                    holders.append((LazyRegex(h["type"]), h["field"]))
                for fld, v in r.get("unless-set", {}).items():
                    where = ["unless-set", fld]
                    unless.append((fld, LazyRegex(v)))
                for j, c in enumerate(r.get("unless-code", ())):
                    where = ["unless-code", j]
                    code.append(LazyRegex(c))
            except re.error as e:
                dotted = "".join(f"[{w}]" if isinstance(w, int) else f".{w}" for w in where)
                raise CheckConfigError(f"resources[{i}]{dotted}: invalid regex: {e}", ["resources", i, *where]) from None
            self.resources.append(
                Resource(
                    compiled["callee"],
                    frozenset(r["release"]),
                    compiled.get("first-arg"),
                    compiled.get("import"),
                    tuple(r.get("release-evidence", ())),
                    bool(r.get("unreleasable", False)),
                    tuple(r["release"]),
                    tuple(holders),
                    tuple(unless),
                    tuple(code),
                    bool(r.get("lazy", False)),
                    compiled.get("receiver-type"),
                    compiled.get("receiver-value"),
                )
            )
        self._any_resource: dict[bool, re.Pattern[str] | bool] = {}  # built on first use, per matching mode
        self._holders: tuple[tuple[LazyRegex[str], str], ...] = ()  # of the resource being followed
        self._held: list[str] = []
        self._held_escapes = False
        self.callee_var = self.metavar("callee")
        self.non_owning = self.regexes("non-owning", [r"^(fmt|log|errors|strings|strconv)\.", r"^(len|cap|print|println)$"])
        # calls that build a handle around their argument: the handle keeps the value alive
        self.wrappers = self.regexes("wrappers", [r"(^|\.)New\w*$"])
        self.long_lived_fns = set(params.get("long-lived-functions", ["main", "init", "TestMain"]))
        self.long_lived = params.get("long-lived", "ignore")
        self.request_params = self.regexes(
            "request-params",
            [r"^\*http\.Request$", r"^\*gin\.Context$", r"^echo\.Context$", r"^\*fiber\.Ctx$", r"^\*fasthttp\.RequestCtx$"],
        )
        self.max_depth = params.get("max-depth", 2)
        # command-line actions run once per process, like main
        self.long_lived_params = self.regexes("long-lived-params", [r"^\*cli\.Context$", r"^\*cobra\.Command$"])
        self.error_path_severity = params.get("error-path-severity", "warning")
        # a function taking a `*testing.T` runs only under `go test`, wherever its file lives
        # (`dockertest/test_helper.go`): a test helper, not production memory
        self.test_params = self.regexes("test-params", [r"^\*?testing\.(T|B|F|TB)$"])
        # a non-test file importing one of these (`testing`, a test framework) is test support code
        self.test_imports = self.regexes("test-imports", [])

    def _reportable(self) -> list[Resource]:
        """Entries that can lead to a finding (an entry with nothing to release never does)."""
        return [r for r in self.resources if r.release or r.evidence or r.unreleasable]

    def prefilter_sets(self) -> list[list[str]] | None:
        """Literal text the resources need (any one list, all of its members), derived from the
        callee regexes, so a file that cannot contain an acquiring call is not even parsed. An
        `import` entry's callee regex is the function name, still literal text of the call."""
        from linter.regexlit import required_conjunctions

        sets: list[list[str]] = []
        for r in self._reportable():
            rx = r.callee.compiled
            if r.by_name and rx.pattern.startswith("^"):
                rx = re.compile(r"\." + rx.pattern[1:], rx.flags)  # the name follows its qualifier's dot
            conj = required_conjunctions(rx)
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
        fn = node.child_by_field_name("function") if node.type == "call_expression" else _literal_type(node)
        if fn is None or fn.type not in ("selector_expression", "identifier", "qualified_type", "type_identifier"):
            return fn is None
        text = pass_.file.text(fn)
        name = text.rsplit(".", 1)[-1].strip()
        return not (self._any(False, text) or self._any(True, name))

    def _any(self, by_import: bool, text: str) -> bool:
        rx = self._any_resource.get(by_import)
        entries = [r for r in self._reportable() if r.by_name == by_import]
        if rx is None:
            try:  # one search instead of one per resource; a pattern with inline flags can't be joined
                rx = re.compile("|".join(f"(?:{r.callee.pattern})" for r in entries)) if entries else False
            except re.error:
                rx = True
            self._any_resource[by_import] = rx
        if rx is False:
            return False
        if rx is True:
            return any(r.callee.search(text) for r in entries)
        return rx.search(text) is not None  # type: ignore[union-attr]

    # -- which resource ----------------------------------------------------------------------
    def _imports(self, pass_: Pass) -> tuple[dict[str, str], list[str]]:
        f = pass_.file
        key = ("lifetime.imports", f.path)
        got = pass_.package.memo.get(key)
        if got is None:
            got = file_imports(f)
            pass_.package.memo[key] = got
        return got  # type: ignore[no-any-return]

    def _test_support(self, pass_: Pass) -> bool:
        named, plain = self._imports(pass_)
        return any(rx.search(p) for p in (*named.values(), *plain) for rx in self.test_imports)

    def _import_path(self, pass_: Pass, qualifier: str) -> str | None:
        named, plain = self._imports(pass_)
        if qualifier in named:
            return named[qualifier]  # type: ignore[no-any-return]
        hits = [p for p in plain if qualifier in import_names(p)]
        return hits[0] if len(hits) == 1 else None

    def _resource(self, pass_: Pass, callee_node: Node, callee: str, first_arg: str) -> tuple[Resource, str | None] | None:
        qualifier = name = None
        if callee_node.type == "selector_expression":
            operand = callee_node.child_by_field_name("operand")
            field = callee_node.child_by_field_name("field")
            if operand is not None and operand.type == "identifier" and field is not None:
                qualifier, name = pass_.file.text(operand), pass_.file.text(field)
        path: str | None = None
        resolved = False
        fallback: tuple[Resource, str | None] | None = None
        for r in self.resources:
            if r.receiver_type is not None or r.receiver_value is not None:
                if callee_node.type != "selector_expression":
                    continue
                field = callee_node.child_by_field_name("field")
                operand = callee_node.child_by_field_name("operand")
                if field is None or operand is None or not r.callee.search(pass_.file.text(field)):
                    continue
                if not self._receiver_is(pass_, operand, r):
                    continue
                return r, None
            if r.import_path is not None:
                if qualifier is None or name is None or not r.callee.search(name):
                    continue
                if not resolved:
                    path, resolved = self._import_path(pass_, qualifier), True
                if path is None or not r.import_path.search(path):
                    continue
            elif not r.callee.search(callee):
                continue
            if r.first_arg is not None and not r.first_arg.search(first_arg):
                continue
            if not resolved and qualifier is not None:
                path, resolved = self._import_path(pass_, qualifier), True
            if not r.release and r.evidence and not r.unreleasable:
                fallback = fallback or (r, path)  # evidence-only: any other matching entry wins
                continue
            return r, path
        return fallback

    # -- the receiver of a method resource ------------------------------------------------------
    def _receiver_is(self, pass_: Pass, operand: Node, r: Resource) -> bool:
        """Does the code show `operand` (in `operand.M(...)`) to be of the entry's receiver type:
        the expression itself is a `receiver-value` (`http.DefaultClient`), or it is a parameter,
        local or package variable, or struct field declared with a `receiver-type`, or a variable
        every assignment of which is a `receiver-value` (`c := &http.Client{...}`)? Unknown: no."""
        f = pass_.file
        text = re.sub(r"\s+", "", f.text(operand))
        if r.receiver_value is not None and r.receiver_value.search(text):
            return True
        t = self._receiver_type_of(pass_, operand, r)
        if t is None:
            return False
        if t.startswith("="):
            return True  # every assignment of the variable is a receiver value
        return r.receiver_type is not None and r.receiver_type.search(t) is not None

    def _receiver_type_of(self, pass_: Pass, operand: Node, r: Resource) -> str | None:
        from linter.analysis.callgraph import operand_type, package_var_type

        f = pass_.file
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        if operand.type == "selector_expression":
            inner = operand.child_by_field_name("operand")
            if inner is None or inner.type != "identifier":
                return None
            return operand_type(pass_, fns, operand)  # `s.client`: the receiver struct's field
        if operand.type != "identifier":
            return None
        name = f.text(operand)
        for fn in (fns.enclosing(operand), fns.outermost(operand)):
            if fn is None:
                continue
            t = fn.param_type(name)
            if t is not None:
                return t.strip().lstrip("*").strip()
            facts = fns.facts(fn)
            if not facts.declares(name):
                continue
            found: str | None = None
            for occ in facts.uses(name):
                p = occ.parent
                if p is not None and p.type == "var_spec":
                    tn = p.child_by_field_name("type")
                    if tn is not None:
                        return f.text(tn).strip().lstrip("*").strip()
                value = assigned_value(occ)
                if value is None:
                    continue
                vt = re.sub(r"\s+", "", f.text(value))
                if r.receiver_value is None or not r.receiver_value.search(vt):
                    return None  # some assignment is of something else: unknown
                found = vt
            return "=" + found if found is not None else None  # (a value, never a type name)
        t = package_var_type(pass_.package, name)
        if t is not None:
            return t
        if r.receiver_value is not None:  # `var client = &http.Client{...}` at package level
            rx = re.compile(rb"(?m)^(?:var\s+|\t)" + re.escape(name.encode()) + rb"\s*=\s*([^\n]+)")
            for data in pass_.package.sources():
                m = rx.search(data)
                if m is not None:
                    v = re.sub(r"\s+", "", m.group(1).decode("utf-8", "replace"))
                    return "=" + v if r.receiver_value.search(v) else None
        return None

    # -- release evidence --------------------------------------------------------------------
    def _evidence(self, pass_: Pass, callee_node: Node, path: str | None, candidates: tuple[str, ...]) -> frozenset[str]:
        """Release methods the scanned code shows for this constructor's results: the methods of
        its declared result type (when the constructor is declared in the scanned module), else the
        methods called on its results elsewhere in the package. Empty: nothing known to release."""
        f = pass_.file
        callee = re.sub(r"\s+", "", f.text(callee_node))
        key = ("lifetime.evidence", callee, path, candidates)
        memo = pass_.package.memo
        if key in memo:
            return memo[key]  # type: ignore[no-any-return]
        name = callee.rsplit(".", 1)[-1]
        got: frozenset[str] | None = None
        directory = self._package_dir(f.path, path) if path is not None else None
        if directory is not None:
            got = self._declared_release(directory, name, candidates)
        if got is None:
            got = self._released_elsewhere(pass_.package.sources(), callee, candidates)
        memo[key] = got
        return got

    @staticmethod
    def _package_dir(file_path: str, import_path: str) -> str | None:
        """The directory of `import_path` when it is a package of the file's own module."""
        from linter.roots import module_root

        d = module_root(os.path.dirname(os.path.abspath(file_path)))
        if d is None:
            return None
        try:
            m = re.search(r"^module\s+(\S+)", read_head(os.path.join(d, "go.mod"), 65536).decode("utf-8", "replace"), re.M)
        except OSError:
            return None
        if m is None:
            return None
        mod = m.group(1).strip('"')
        if import_path == mod or import_path.startswith(mod + "/"):
            sub = os.path.join(d, *import_path[len(mod) :].strip("/").split("/"))
            return sub if os.path.isdir(sub) else None
        return None

    @staticmethod
    def _declared_release(directory: str, name: str, candidates: tuple[str, ...]) -> frozenset[str] | None:
        """The candidate methods of the type `func name(...)` returns, declared in `directory`;
        None when the declaration or its result type is not found there."""
        sources = []
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            return None
        for n in entries:
            if n.endswith(".go") and not n.endswith("_test.go"):
                try:
                    sources.append(read_head(os.path.join(directory, n), 2_000_000).decode("utf-8", "replace"))
                except OSError:
                    continue
        decl = re.compile(rf"^func\s+{re.escape(name)}\s*(?:\[[^\]]*\])?\(", re.M)
        rtype: str | None = None
        for src in sources:
            m = decl.search(src)
            if m is None:
                continue
            # skip the parameter list, then read the first result type
            depth, i = 1, m.end()
            while i < len(src) and depth:
                depth += {"(": 1, ")": -1}.get(src[i], 0)
                i += 1
            t = re.match(r"\s*\(?\s*(?:\w+\s+)?\*?\s*([\w.]+)", src[i : i + 200])
            rtype = t.group(1) if t else None
            break
        if rtype is None or "." in rtype:
            return None  # not declared here, or a type of another package: no evidence
        methods = "|".join(map(re.escape, candidates))
        found: set[str] = set()
        meth = re.compile(rf"^func\s*\(\s*\w*\s*\*?\s*{re.escape(rtype)}(?:\[[^\]]*\])?\s*\)\s*({methods})\s*\(", re.M)
        iface = re.compile(rf"^type\s+{re.escape(rtype)}\s+interface\s*\{{(.*?)^\}}", re.M | re.S)
        declared = False
        for src in sources:
            found.update(meth.findall(src))
            if re.search(rf"^type\s+{re.escape(rtype)}\b", src, re.M) or re.search(
                rf"^\s+{re.escape(rtype)}\s+(?:struct|interface)\b", src, re.M
            ):
                declared = True
            im = iface.search(src)
            if im is not None:
                body = im.group(1)
                found.update(re.findall(rf"^\s*({methods})\s*\(", body, re.M))
                if re.search(r"^\s*[\w.]+\s*$", body, re.M):
                    return None if not found else frozenset(found)  # embeds another interface: partial view
        if not declared:
            return None
        return frozenset(found)

    @staticmethod
    def _released_elsewhere(sources: list[bytes], callee: str, candidates: tuple[str, ...]) -> frozenset[str]:
        """Candidate methods called on a variable assigned from `callee(...)` later in the same file."""
        qual, _, name = callee.rpartition(".")
        shape = (re.escape(qual) + r"\s*\.\s*" if qual else r"(?<![\w.])") + re.escape(name)
        assign = re.compile(rf"(\w+)(?:\s*,\s*\w+)*\s*:?=\s*{shape}\s*\(".encode())
        methods = "|".join(map(re.escape, candidates))
        found: set[str] = set()
        needle = name.encode()
        for src in sources:
            if needle not in src:
                continue
            for m in assign.finditer(src):
                var = m.group(1)
                rel = re.compile(rb"\b" + re.escape(var) + rb"\s*\.\s*(" + methods.encode() + rb")\s*\(")
                end = src.find(b"\nfunc ", m.end())
                found.update(x.decode() for x in rel.findall(src, m.end(), end if end != -1 else len(src)))
        return frozenset(found)

    # -- the verdict -------------------------------------------------------------------------
    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        f = pass_.file
        callee_node = env.get(self.callee_var) if self.callee_var else node.child_by_field_name("function")
        if not isinstance(callee_node, Node):
            return None
        callee = f.text(callee_node)
        args = node.child_by_field_name("arguments") if node.type == "call_expression" else None
        first_arg = f.text(args.named_children[0]) if args is not None and args.named_children else ""
        picked = self._resource(pass_, callee_node, callee, first_arg)
        if picked is None:
            return None
        resource, path = picked
        release: frozenset[str] = resource.release
        if not release and resource.evidence:
            release = self._evidence(pass_, callee_node, path, resource.evidence)
        if not release and not resource.unreleasable:
            return None  # nothing known to release it
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        fn = fns.enclosing(node)
        if fn is None:
            return None  # package-level `var c = NewClient()`: lives for the process
        outer = fns.outermost(node) or fn
        if any(rx.search(t.strip()) for info in (fn, outer) for _, t in info.params for rx in self.test_params):
            return None
        if self.test_imports and self._test_support(pass_):
            return None
        use = use_of(node)
        value = "the result"
        if use.kind == "var" and use.node is not None:
            value = f.text(use.node)
        literal = _literal_type(node) is not None
        if literal:
            callee = f"&{callee}{{...}}" if node.type == "unary_expression" else f"{callee}{{...}}"
            value = value if use.kind == "var" else "the value"
        if resource.unless_set and self._set_so(f, pass_, node, use, fn, resource.unless_set):
            return None  # `&http.Transport{DisableKeepAlives: true}`: nothing it holds outlives a call
        if resource.unless_code and any(rx.search(f.text(outer.node)) for rx in resource.unless_code):
            return None  # `req.Close = true`: the connection is closed after each response
        rel_text = "/".join(sorted(release)) if release else "nothing can release it"
        vars_ = {"VALUE": value, "CALLEE": callee, "RELEASE": rel_text, "LEAK": f"never released ({rel_text})"}
        order = tuple(m for m in resource.order if m in release) or tuple(sorted(release, key=lambda m: (m != "Close", m)))

        def facts(variant: str, escapes: bool = False, local: bool = True) -> dict[str, Any]:
            # (a package variable is not followed here: a release of it would not be seen, so a
            # fix could not be confirmed; it is reported without one)
            ends = local and fn.node.type == "function_declaration" and fn.name == "main" and pass_.package.name == "main"
            return {ACQUISITION: self._acquisition(f, node, fn, use, order, args, variant, escapes, ends)}

        self._holders = resource.holders
        self._held = []  # the local holders followed (`client` of `client.Transport = tr`)
        self._held_escapes = False  # a holder's result (a response) outlives the call
        if resource.unreleasable:
            vars_["LEAK"] = "never released (it cannot be stopped or closed)"
            if self._used_until_exit(node, fn):
                return None  # `for range time.Tick(d) {...}` with no way out: it lives as long as its goroutine
            long = self._process_lived(pass_, outer, fn)
            if long is not None:
                return self._long_lived(vars_, long, facts(UNRELEASABLE))
            return Verdict(vars={**vars_, "WHEN": self._when(f, node, outer)}, facts=facts(UNRELEASABLE))
        if use.kind == "var" and use.node is not None and not fns.facts(fn).declares(value):
            if not fns.facts(outer).declares(value):
                return self._long_lived(vars_, "it is assigned to a package variable", facts(NEVER_RELEASED, escapes=True, local=False))
            return None  # assigned to a variable of an enclosing function: that function owns it
        self._sites: list[Node] = []  # release statements seen while following the value
        # `release: [Body.Close]`: released by `v.Body.Close()`; `v.Body` is followed as a value
        # of its own (aliased, passed on, returned, closed) with release `Close`
        self._paths = _release_paths(release)
        self._names: set[str] = set()
        state = self._fate(f, pass_, use, fn, release, 0)
        escapes = state == HANDLE or self._held_escapes  # a handle derived from it is stored or returned
        if state == HANDLE:
            # kept alive by a stored handle: owned by what holds it, unless it is made again and
            # again (the previous one is overwritten or dropped); process-lived ones stay info
            direct = self._process_lived(pass_, outer, fn, transitive=False) is not None
            if not direct and not self._repeats(pass_, node, outer):
                return None
            state = LEAKED
        long = None
        if state in (RELEASED, HANDED_OFF) and resource.lazy:
            return None  # an early exit before it is used leaves nothing behind
        if state == RELEASED:
            skip = self._skipping_exit(f, node, fn)
            if skip is None:
                return None
            exit_, site = skip
            if self._process_lived(pass_, outer, fn) is not None:
                return None  # an error return from main ends the process
            kind = exit_.type.split("_")[0]
            method = self._method_of(f, site, release)
            vars_["LEAK"] = (
                f"not released ({rel_text}) on the {kind} at line {exit_.start_point[0] + 1}, which skips the {method} at line {site.start_point[0] + 1}"
            )
            when = self._when(f, node, outer)
            return Verdict(
                vars={**vars_, "WHEN": f"{when} when it takes that path"}, severity=self.error_path_severity, facts=facts(ERROR_PATH)
            )
        if state == HANDED_OFF and use.kind == "var" and use.node is not None:
            # a constructor of our own (`func dial() (*grpc.ClientConn, error)`) that returns the
            # value on success, but leaves on an error after acquiring it without releasing it
            early = self._leaked_before_return(f, pass_, node, fn, value, use.node, release)
            if early is not None and self._process_lived(pass_, outer, fn) is None:
                exit_, ret = early
                vars_["LEAK"] = (
                    f"not released ({rel_text}) on the return at line {exit_.start_point[0] + 1}, "
                    f"which leaves before it is returned at line {ret.start_point[0] + 1}"
                )
                when = self._when(f, node, outer)
                return Verdict(
                    vars={**vars_, "WHEN": f"{when} when it takes that path"}, severity=self.error_path_severity, facts=facts(BEFORE_RETURN)
                )
            return None
        if state != LEAKED:
            return None
        if self._held:
            vars_["LEAK"] = f"never released ({rel_text}, on it or on {self._held[0]} holding it)"
        if self._used_until_exit(node, fn):
            # `t := time.NewTicker(d); for range t.C {...}` with no way out: the value is in use
            # for as long as its goroutine runs; what outlives a call is the goroutine
            # (endless-goroutine's), not the value
            return None
        long = self._process_lived(pass_, outer, fn)
        if long is not None:
            return self._long_lived(vars_, long, facts(NEVER_RELEASED, escapes))
        return Verdict(vars={**vars_, "WHEN": self._when(f, node, outer)}, facts=facts(NEVER_RELEASED, escapes))

    # -- what a fix needs (linter.fix.facts.Acquisition) -----------------------------------------
    def _acquisition(
        self,
        f: SourceFile,
        node: Node,
        fn: FuncInfo,
        use: Use,
        order: tuple[str, ...],
        args: Node | None,
        variant: str,
        escapes: bool,
        ends_process: bool,
    ) -> Acquisition:
        body = fn.body
        stmt = _statement_of(node, body) if body is not None else None
        if stmt is not None and stmt.type not in ("short_var_declaration", "assignment_statement", "var_declaration"):
            stmt = None  # `if c, err := New(); err != nil`, `go use(New())`: no statement of its own to follow
        value = f.text(use.node) if use.kind == "var" and use.node is not None else None
        error_var = _error_var(f, stmt, node) if stmt is not None else None
        check = _error_check(f, stmt, error_var) if stmt is not None and error_var not in (None, "_") else None
        ctx_arg = None
        if args is not None and args.named_children and _CONTEXT_ARG.search(f.text(args.named_children[0])):
            ctx_arg = args.named_children[0]
        in_loop = False
        for n in f.ancestors(node):
            if n.id == fn.node.id:
                break
            if n.type == "for_statement":
                in_loop = True
                break
        return Acquisition(
            call=node,
            statement=stmt,
            value=value,
            error_var=error_var,
            error_check=check,
            error_check_exits=check is not None and _always_leaves(f, check),
            release=order,
            context_arg=ctx_arg,
            escapes=escapes,
            in_loop=in_loop,
            ends_process=ends_process,
            variant=variant,
        )

    def _leaked_before_return(
        self, f: SourceFile, pass_: Pass, node: Node, fn: FuncInfo, name: str, decl: Node, release: frozenset[str]
    ) -> tuple[Node, Node] | None:
        """The value is handed off only by returning it (nothing stores, sends or passes it on
        first), and a `return` between the acquisition and that return neither returns nor
        releases it: (that return, the return of the value). The acquisition's own error check
        does not count (the value is not valid there)."""
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        facts = fns.facts(fn)
        body = fn.body
        if body is None or not facts.declares(name) or any(n == name for n, _ in fn.results):
            return None
        acq = _statement_of(node, body)
        if acq is None or acq.parent is None:
            return None
        scope = acq.parent  # the variable's block: another `conn :=` elsewhere is another variable
        returns: list[Node] = []
        sites: list[Node] = []
        for occ in facts.uses(name):
            if occ.id == decl.id or not within(occ, scope) or occ.start_byte < acq.start_byte:
                continue
            if _in_goroutine(occ, body):
                return None
            use = use_of(occ)
            if self._paths:
                use = _through_deref(use)
            k = use.kind
            if k == "return" or k == "composite" and _inside(f, occ, "return_statement", body):
                ret = _inside(f, occ, "return_statement", body)
                if ret is None or _statement_of(ret, body) is None:
                    return None  # returned from a closure: not this function's result
                returns.append(ret)
            elif k == "receiver":
                sel = use.node
                field = sel.child_by_field_name("field") if sel is not None else None
                if sel is not None and field is not None and f.text(field) in self._paths:
                    sub = self._field_fate(f, pass_, fn, sel, self._paths[f.text(field)], 1)
                    ret = _inside(f, occ, "return_statement", body) if sub == HANDED_OFF else None
                    if ret is not None and _statement_of(ret, body) is not None:
                        returns.append(ret)  # `return resp.Body, nil`, `return bufio.NewReader(resp.Body), nil`
                        continue
                    if sub == HANDED_OFF:
                        return None
                    if sub == RELEASED:
                        site = _statement_of(occ, body)
                        if site is None:
                            return None
                        sites.append(_nil_guarded(site, body, {name}))
                elif field is not None and f.text(field) in release:
                    site = _statement_of(occ, body)
                    if site is None:
                        return None  # released by a callback or goroutine: not followed here
                    sites.append(site)
            elif k == "arg" and use.node is not None:
                if self._passed(f, pass_, fn, use.node, use.index, release, 1) in (HANDED_OFF, RELEASED):
                    return None
            elif k not in ("discard", "other"):
                return None  # stored, sent, aliased, address taken: owned elsewhere from then on
        if not returns:
            return None
        self._sites = sorted([*sites, *returns], key=lambda n: n.start_byte)
        self._names = {name}
        skip = self._skipping_exit(f, node, fn)
        if skip is None or skip[0].type != "return_statement":
            return None
        exit_, _ = skip
        later = [r for r in returns if r.start_byte > exit_.start_byte]
        return (exit_, later[0]) if later else None

    @staticmethod
    def _used_until_exit(node: Node, fn: FuncInfo) -> bool:
        """Is `node` (or the variable it is assigned to) consumed by a loop of `fn` that never
        ends (`for {}` or `for range`), with no return or break after it? Then the value is in use
        for as long as the function runs: what outlives it is the goroutine, not the value."""
        body = fn.body
        if body is None:
            return False
        loop = None
        for stmt in body.named_children if body.type != "block" else _block_statements(body):
            if stmt.end_byte <= node.start_byte or stmt.type != "for_statement":
                continue
            if stmt.child_by_field_name("condition") is not None:
                continue
            clause = next((c for c in stmt.named_children if c.type == "for_clause"), None)
            if clause is not None and clause.child_by_field_name("condition") is not None:
                continue
            if loop_kind(fn.file, stmt) == "collection-range":
                continue  # `for _, r := range resp.Results`: it ends when the slice does
            loop = stmt
            break
        if loop is None:
            return False
        lbody = loop.child_by_field_name("body")
        if lbody is not None and lbody.start_byte <= node.start_byte < lbody.end_byte:
            return False  # `case <-time.Tick(d):` inside the loop: a new ticker every iteration
        for ex in _exits(body, node.end_byte, body.end_byte):
            if ex.type == "return_statement" or ex.type == "break_statement" and LifetimeCheck._exit_target(ex) is not None:
                return False
        return True

    def _process_lived(self, pass_: Pass, outer: FuncInfo, fn: FuncInfo, transitive: bool = True) -> str | None:
        """Why values created here live for the whole process, or None."""
        if _callback(fn) is not None:
            return None  # `http.HandleFunc("/", func(w, r) {...})` in main: the callback runs per call
        if outer.name in self.long_lived_fns and not outer.receiver_type:
            return f"it is created in {outer.name}"
        for info in {id(fn): fn, id(outer): outer}.values():
            if any(rx.search(t) for _, t in info.params for rx in self.long_lived_params):
                return "it is created by a command-line action"
        callers: set[str] = set()
        if transitive and self._runs_once(pass_, outer, 0, callers):
            return f"{outer.display} only runs once (called from {'/'.join(sorted(callers))})"
        return None

    def _runs_once(self, pass_: Pass, fn: FuncInfo, depth: int, callers: set[str]) -> bool:
        """Every call of `fn` in the package is in a process-lived function, outside loops (and
        nothing outside the package can call it: unexported, or package main)."""
        if not fn.name or depth > self.max_depth:
            return False
        if fn.name[:1].isupper() and pass_.package.name != "main":
            return False
        graph: CallGraph = pass_.result_of(CALLGRAPH)
        sites = graph.sites(fn)
        if not sites and fn.receiver_type:
            # `d := newDiscoverer(); d.run()`: the graph does not type local variables; when every
            # `.run(` call of the package is in a process-lived function, so is this one
            calls = name_occurrences(pass_.package, fn.name, METHOD_CALL)
            prod = [(sf, n) for sf, n in calls if not sf.path.endswith("_test.go")]
            return bool(prod) and all(self._in_long_lived(pass_.file_pass(sf), n) for sf, n in prod)
        if not sites:
            return False
        for site in sites:
            caller = site.caller
            if caller is None or lexical_loop(site.call, site.file) is not None:
                return False
            fns: FileFunctions = pass_.file_pass(site.file).result_of(FUNCTIONS)
            top = fns.outermost(site.call) or caller
            if top.name in self.long_lived_fns and not top.receiver_type:
                callers.add(top.name or "")
                continue
            inner = fns.enclosing(site.call) or caller
            if any(rx.search(t) for _, t in inner.params for rx in self.long_lived_params):
                callers.add(f"a command-line action in {top.display}")  # `Run: func(c *cobra.Command, ...)`
                continue
            if not self._runs_once(pass_.file_pass(site.file), top, depth + 1, callers):
                return False
        return True

    def _in_long_lived(self, pass_: Pass, node: Node) -> bool:
        if lexical_loop(node, pass_.file) is not None:
            return False
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        top = fns.outermost(node)
        return top is not None and top.name in self.long_lived_fns and not top.receiver_type

    def _repeats(self, pass_: Pass, node: Node, outer: FuncInfo) -> bool:
        """Does the acquisition run more than once per object: in a loop, per request, or in a
        function called from a loop (within max-depth calls in the package)?"""
        if lexical_loop(node, pass_.file, _REPEATING) is not None:
            return True
        if any(any(rx.search(t) for rx in self.request_params) for _, t in outer.params):
            return True
        return self._called_in_loop(pass_, outer, 0)

    def _called_in_loop(self, pass_: Pass, fn: FuncInfo, depth: int) -> bool:
        if depth >= self.max_depth or not fn.name:
            return False
        graph: CallGraph = pass_.result_of(CALLGRAPH)
        for site in graph.sites(fn):
            # a loop that repeats for the life of the process: a start-up pass over the
            # configured hosts (`for _, h := range cfg.Hosts { newProxy(h) }`) is not one
            if lexical_loop(site.call, site.file, _REPEATING) is not None:
                return True
            fns: FileFunctions = pass_.file_pass(site.file).result_of(FUNCTIONS)
            top = fns.outermost(site.call) or site.caller
            if top is not None and self._called_in_loop(pass_.file_pass(site.file), top, depth + 1):
                return True
        return False

    def _long_lived(self, vars_: dict[str, str], why: str, facts: dict[str, Any] | None = None) -> Verdict | None:
        if self.long_lived == "ignore":
            return None
        when = f"{why} and lives for the whole process"
        return Verdict(vars={**vars_, "WHEN": when}, severity="info", facts=facts or {})

    def _when(self, f: SourceFile, node: Node, outer: FuncInfo) -> str:
        loop = lexical_loop(node, f)
        if loop is not None:
            return f"a new one is created on every iteration of the loop at line {loop.start_point[0] + 1}"
        cb = _callback_of(node, outer)
        if cb is not None:
            lit, call = cb
            fn_node = call.child_by_field_name("function")
            what = f.text(fn_node) if fn_node is not None else "a call"
            per = "request" if any(rx.search(t) for rx in self.request_params for t in _literal_param_types(f, lit)) else "call"
            return f"the callback passed to {what} at line {call.start_point[0] + 1} creates one on every {per} and leaks it"
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

    # -- a release that an early exit skips ----------------------------------------------------
    def _method_of(self, f: SourceFile, site: Node, release: frozenset[str]) -> str:
        text = f.text(site)
        return next((m for m in sorted(release, key=lambda m: text.find("." + m)) if "." + m in text), "release")

    def _skipping_exit(self, f: SourceFile, node: Node, fn: FuncInfo) -> tuple[Node, Node] | None:
        """A return/continue/break between the acquisition and its last release, not covered by an
        earlier release in an enclosing block and not returning the value: (the exit, the release)."""
        body = fn.body
        if body is None or not self._sites:
            return None
        acq = _statement_of(node, body)
        if acq is None or acq.parent is None:
            return None
        # releases on a path from this acquisition: after it, in its block or one around it
        # (a variable assigned in both branches of an if has a release per branch)
        sites = sorted(
            (
                s
                for s in self._sites
                if s.start_byte > acq.start_byte and (within(s, acq.parent) or (s.parent is not None and within(acq, s.parent)))
            ),
            key=lambda s: s.start_byte,
        )
        if not sites:
            return None
        if self._paths and acq.type in ("if_statement", "expression_switch_statement", "type_switch_statement"):
            # `if res, err := c.Do(req); err == nil { defer res.Body.Close() }`: the variable lives
            # in that statement; a later `res` is another variable
            sites = [s for s in sites if within(s, acq)]
            if not sites:
                return None
        last = sites[-1]
        lo = acq.end_byte
        # the acquisition's own error check (`if err != nil { return err }`): the value is not valid there
        nxt = acq.next_named_sibling
        while nxt is not None and nxt.type == "comment":
            nxt = nxt.next_named_sibling
        if nxt is not None and nxt.type == "if_statement":
            cond = nxt.child_by_field_name("condition")
            ctext = f.text(cond) if cond is not None else ""
            if re.search(r"(?i)err\w*\s*!=\s*nil|\bnil\s*!=\s*\w*err|==\s*nil\b|!\s*ok\b", ctext):
                lo = nxt.end_byte
        if self._paths and lo == acq.end_byte:
            check = _own_error_check(f, acq)
            if check is not None:
                lo = check.end_byte
        # a continue/break skips this iteration's value only when the iteration declared it
        # (`t = time.NewTicker(d)` into a variable of the enclosing scope lives on)
        loop = lexical_loop(node, f) if acq.type in ("short_var_declaration", "var_declaration") else None
        for ex in _exits(body, lo, last.start_byte):
            if ex.start_byte >= last.start_byte:
                continue
            if ex.type != "return_statement":
                target = self._exit_target(ex)
                if target is None or loop is None or target.id != loop.id:
                    continue  # leaves an inner loop or a switch: the release may still come
            elif self._mentions(f, ex):
                continue  # returns the value (or something holding it)
            if self._paths and self._after_read_error(f, ex, body):
                continue
            if any(s.start_byte < ex.start_byte and s.parent is not None and within(ex, s.parent) for s in sites):
                continue  # already released on this path
            if any(within(ex, s) for s in sites):
                continue
            if ex.parent is not None and any(s.start_byte < ex.start_byte and within(s, ex.parent) for s in sites):
                continue  # `if !c.Closed() { c.Close() }; return err`: released (if open) on the way out
            return ex, last
        return None

    @staticmethod
    def _exit_target(ex: Node) -> Node | None:
        n = ex.parent
        while n is not None:
            if n.type == "for_statement":
                return n
            if ex.type == "break_statement" and n.type in ("expression_switch_statement", "type_switch_statement", "select_statement"):
                return None
            if n.type in ("func_literal", "function_declaration", "method_declaration"):
                return None
            n = n.parent
        return None

    def _after_read_error(self, f: SourceFile, ex: Node, body: Node) -> bool:
        """Is `ex` in the `if err != nil` right after `b, err := io.ReadAll(resp.Body)`? A read
        error on the body itself ends it: the transport closes that connection and stops its
        goroutines without a Close (a decoder's error, or a copy's write error, does not)."""
        n = ex.parent
        while n is not None and n.id != body.id and n.type != "func_literal":
            if n.type == "if_statement":
                break
            n = n.parent
        if n is None or n.type != "if_statement":
            return False
        cond = n.child_by_field_name("condition")
        m = re.fullmatch(r"\s*(\w+)\s*!=\s*nil\s*", f.text(cond)) if cond is not None else None
        if m is None:
            return False
        err = re.escape(m.group(1))
        init = n.child_by_field_name("initializer")
        prev = init if init is not None else n.prev_named_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_named_sibling
        if prev is None:
            return False
        fields = "|".join(map(re.escape, self._paths))
        names = "|".join(map(re.escape, self._names))
        rx = rf"(?<![\w.]){err}\s*:?=\s*(?:io|ioutil)\.ReadAll\(\s*(?:{names})\.(?:{fields})\s*\)"
        rx2 = rf",\s*{err}\s*:?=\s*(?:io|ioutil)\.ReadAll\(\s*(?:{names})\.(?:{fields})\s*\)"
        text = f.text(prev)
        return bool(names) and (re.search(rx, text) is not None or re.search(rx2, text) is not None)

    def _mentions(self, f: SourceFile, ex: Node) -> bool:
        text = f.text(ex)
        if self._paths:
            # `return fmt.Errorf("status %d", resp.StatusCode)` reads a field: it hands nothing
            # off; `return resp`, `return resp.Body`, `return wrap(resp)` do
            fields = "|".join(map(re.escape, self._paths))
            return any(re.search(rf"(?<![\w.]){re.escape(n)}\b(?!\s*\.\s*(?!(?:{fields})\b)\w)", text) for n in self._names)
        return any(re.search(rf"\b{re.escape(n)}\b", text) for n in self._names)

    # -- following the value ---------------------------------------------------------------------
    def _fate(self, f: SourceFile, pass_: Pass, use: Use, fn: FuncInfo, release: frozenset[str], depth: int) -> str:
        k = use.kind
        if k in ("store", "composite") and self._holders:
            held = self._holder_fate(f, pass_, use, fn, release, depth)
            if held is not None:
                return held
        if k in ("return", "store", "composite", "send", "address"):
            return HANDED_OFF
        if k == "receiver":
            sel = use.node
            field = sel.child_by_field_name("field") if sel is not None else None
            if sel is None or sel.parent is None or sel.parent.type != "call_expression":
                return HANDED_OFF  # `time.NewTicker(d).C`: the field lives as long as its user
            if field is not None and f.text(field) in release:
                return RELEASED
            # `return client.Bucket(name)` from a function returning a handle type keeps the
            # client alive and in use; `return c.Ping(ctx).Err()` returns only a value
            returns_handle = any(not _PLAIN_RESULT.match(t.strip()) for _, t in fn.results)
            returned = returns_handle and not _operation(f, sel.parent)
            return HANDLE if self._escapes(f, pass_, fn, sel.parent, 0, returned=returned) else LEAKED
        if k == "arg" and use.node is not None:
            return self._passed(f, pass_, fn, use.node, use.index, release, depth)
        if k == "var" and use.node is not None:
            return self._follow_var(f, pass_, fn, f.text(use.node), use.node, release, depth)
        if k == "discard":
            return LEAKED
        return HANDED_OFF  # a context we do not model: stay quiet

    # -- a value held by a local holder -----------------------------------------------------------
    def _holder_fate(self, f: SourceFile, pass_: Pass, use: Use, fn: FuncInfo, release: frozenset[str], depth: int) -> str | None:
        """`&http.Client{Transport: tr}` or `client.Transport = tr` with `client` a local holder
        (a composite literal of a `held-by` type): the value lives as long as the holder, so the
        holder's fate is the value's (dropped: leaked; returned, stored, passed on: handed off;
        released by one of the same methods: released). None: not such a holder."""
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        n = use.node
        if n is None:
            return None
        if use.kind == "composite":
            kv = f.parent(n) if n.type == "literal_element" else None
            key = kv.child_by_field_name("key") if kv is not None and kv.type == "keyed_element" else None
            val = kv.child_by_field_name("value") if kv is not None else None
            body = f.parent(kv) if kv is not None else None
            lit = f.parent(body) if body is not None and body.type == "literal_value" else None
            if key is None or val is None or val.id != n.id or lit is None or lit.type != "composite_literal":
                return None
            if not self._holds(f, lit, f.text(key).strip()):
                return None
            up = f.parent(lit)
            expr = up if up is not None and up.type == "unary_expression" else lit
            holder = use_of(expr)
            if holder.kind == "var" and holder.node is not None:
                name = f.text(holder.node)
                if not fns.facts(fn).declares(name):
                    return HANDED_OFF  # a package variable
                self._held.append(name)
                return self._follow_var(f, pass_, fn, name, holder.node, release, depth, holder=True)
            return self._fate(f, pass_, holder, fn, release, depth)  # returned, passed on, dropped
        # a store: `client.Transport = tr`
        operand = n.child_by_field_name("operand") if n.type == "selector_expression" else None
        field = n.child_by_field_name("field") if n.type == "selector_expression" else None
        if operand is None or field is None or operand.type != "identifier":
            return None
        name = f.text(operand)
        facts = fns.facts(fn)
        if fn.param_type(name) is not None or any(r == name for r, _ in fn.results) or not facts.declares(name):
            return None  # the caller's, or a package variable's
        decl = None
        for occ in facts.uses(name):
            p = f.parent(occ)
            if p is not None and p.type == "var_spec":
                t = p.child_by_field_name("type")
                if p.child_by_field_name("value") is None and (t is None or not self._holds_type(f.text(t), f.text(field))):
                    return None  # `var c *http.Client`: whatever is assigned later
            rhs = assigned_value(occ)
            if rhs is None:
                if decl is None and is_declaration(occ):
                    decl = occ
                continue
            if rhs.type == "unary_expression":
                rhs = rhs.child_by_field_name("operand") or rhs
            if rhs.type != "composite_literal" or not self._holds(f, rhs, f.text(field)):
                return None  # assigned something else too: not known to be a local holder
            if decl is None:
                decl = occ
        if decl is None:
            return None
        self._held.append(name)
        return self._follow_var(f, pass_, fn, name, decl, release, depth, holder=True)

    def _holds(self, f: SourceFile, lit: Node, field: str) -> bool:
        t = lit.child_by_field_name("type")
        return t is not None and self._holds_type(f.text(t), field)

    def _holds_type(self, type_text: str, field: str) -> bool:
        t = re.sub(r"\s+", "", type_text)
        return any(fld == field and rx.search(t) for rx, fld in self._holders)

    @staticmethod
    def _set_so(f: SourceFile, pass_: Pass, node: Node, use: Use, fn: FuncInfo, unless: tuple[tuple[str, LazyRegex[str]], ...]) -> bool:
        """Is one of the `unless-set` fields set to its value: in the literal (`DisableKeepAlives: true`)
        or on the variable holding the value (`tr.DisableKeepAlives = true`)?"""
        lit = node.child_by_field_name("operand") if node.type == "unary_expression" else node
        body = lit.child_by_field_name("body") if lit is not None and lit.type == "composite_literal" else None
        for kv in body.named_children if body is not None else []:
            key, val = kv.child_by_field_name("key"), kv.child_by_field_name("value")
            if kv.type == "keyed_element" and key is not None and val is not None:
                if any(f.text(key).strip() == fld and rx.search(f.text(val).strip()) for fld, rx in unless):
                    return True
        if use.kind != "var" or use.node is None:
            return False
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        for occ in fns.facts(fn).uses(f.text(use.node)):
            sel = f.parent(occ)
            field = sel.child_by_field_name("field") if sel is not None and sel.type == "selector_expression" else None
            if sel is None or field is None:
                continue
            lhs = f.parent(sel)
            stmt = f.parent(lhs) if lhs is not None and lhs.type == "expression_list" else None
            left = stmt.child_by_field_name("left") if stmt is not None and stmt.type == "assignment_statement" else None
            if stmt is None or left is None or lhs is None or left.id != lhs.id:
                continue
            right = stmt.child_by_field_name("right")
            vals = right.named_children if right is not None else []
            if len(vals) == 1 and any(f.text(field) == fld and rx.search(f.text(vals[0]).strip()) for fld, rx in unless):
                return True
        return False

    def _escapes(self, f: SourceFile, pass_: Pass, fn: FuncInfo, expr: Node, depth: int, returned: bool = False) -> bool:
        """Is the handle `expr` (a method result or a wrapper around the value) kept beyond the
        function: stored in a field/map/package variable, in a stored or returned composite, or
        (for a wrapper) returned? Followed through a chain of calls and one local variable."""
        n = expr
        while True:
            use = use_of(n)
            if (
                use.kind == "receiver"
                and use.node is not None
                and use.node.parent is not None
                and use.node.parent.type == "call_expression"
            ):
                n = use.node.parent  # c.Bucket(b).Object(o)
                continue
            break
        k = use.kind
        if k == "store":
            return True
        if k == "return":
            return returned
        if k == "composite" and use.node is not None:
            lit = use.node
            while lit.parent is not None and lit.type != "composite_literal":
                lit = lit.parent
            outer_expr = lit.parent if lit.parent is not None and lit.parent.type == "unary_expression" else lit
            return depth < 3 and self._escapes(f, pass_, fn, outer_expr, depth + 1, returned=True)
        if k == "var" and use.node is not None and depth < 2:
            fns: FileFunctions = pass_.result_of(FUNCTIONS)
            name = f.text(use.node)
            facts = fns.facts(fn)
            if not facts.declares(name):
                return True  # a package variable
            for occ in facts.uses(name):
                if occ.id == use.node.id:
                    continue
                u = use_of(occ)
                if u.kind == "store" or (u.kind == "return" and returned):
                    return True
                if u.kind == "composite" and self._escapes(f, pass_, fn, occ, depth + 1, returned=True):
                    return True
                if u.kind == "receiver" and self._escapes(f, pass_, fn, occ, depth + 1, returned=returned):
                    return True  # a handle of the handle (`topic.IAM()`): kept only as the handle is
                if u.kind == "arg" and u.node is not None and any(rx.search(callee_text(f, u.node)) for rx in self.wrappers):
                    if self._escapes(f, pass_, fn, u.node, depth + 1, returned=True):
                        return True
        return False

    def _field_fate(self, f: SourceFile, pass_: Pass, fn: FuncInfo, sel: Node, release: frozenset[str], depth: int) -> str:
        """The fate of `v.Body` (the selector `sel`) as a value released by `release`: closed
        (`v.Body.Close()`), handed off (returned, stored, aliased and handed off, passed to a
        call that may keep it, wrapped in a reader that is kept), or only read (LEAKED: no effect
        on the value's own fate). A comparison or an assignment to the field says nothing."""
        use = use_of(sel)
        if use.kind in ("other", "discard"):
            return LEAKED
        if use.kind == "receiver":
            s2 = use.node
            field = s2.child_by_field_name("field") if s2 is not None else None
            if (
                s2 is not None
                and field is not None
                and f.text(field) in release
                and s2.parent is not None
                and s2.parent.type == "call_expression"
            ):
                return RELEASED
            if s2 is not None and field is not None and f.text(field) in release and use_of(s2).kind == "arg":
                return RELEASED  # `defer logClose(resp.Body.Close)`: the method value, called there
            return LEAKED  # `v.Body.Read(buf)`
        if use.kind == "arg" and use.node is not None and any(rx.search(callee_text(f, use.node)) for rx in self.non_owning):
            # `io.ReadAll(resp.Body)`, `json.NewDecoder(resp.Body).Decode(&v)`: read, not closed;
            # `return bufio.NewScanner(resp.Body)`, `s.dec = json.NewDecoder(resp.Body)`: the
            # reader around the body is kept, and whoever keeps it owns the body
            wraps = any(rx.search(callee_text(f, use.node)) for rx in self.wrappers)
            return HANDED_OFF if wraps and self._reader_kept(f, pass_, fn, use.node) else LEAKED
        got = self._fate(f, pass_, use, fn, release, depth)
        return HANDED_OFF if got == HANDLE else got

    def _reader_kept(self, f: SourceFile, pass_: Pass, fn: FuncInfo, call: Node) -> bool:
        """Is the result of `call` itself (not a method result of it) returned, stored, put in a
        composite or sent, directly or through one local variable?"""
        use = use_of(call)
        if use.kind in ("return", "store", "composite", "send", "address"):
            return True
        if use.kind != "var" or use.node is None:
            return False
        name = f.text(use.node)
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        facts = fns.facts(fn)
        if not facts.declares(name):
            return True  # a package variable
        for occ in facts.uses(name):
            if occ.id == use.node.id:
                continue
            if _in_goroutine(occ, fn.body or fn.node):
                return True
            if use_of(occ).kind in ("return", "store", "composite", "send", "address"):
                return True
        return False

    def _release_site(self, occ: Node, body: Node) -> None:
        site = _statement_of(occ, body)
        if site is not None and self._paths:
            site = _nil_guarded(site, body, self._names)
        if site is not None:
            self._sites.append(site)

    def _follow_var(
        self, f: SourceFile, pass_: Pass, fn: FuncInfo, name: str, decl: Node, release: frozenset[str], depth: int, holder: bool = False
    ) -> str:
        fns: FileFunctions = pass_.result_of(FUNCTIONS)
        if any(n == name for n, _ in fn.results):
            return HANDED_OFF  # named result: returned implicitly
        facts = fns.facts(fn)
        names, todo, fate = {name}, [name], LEAKED
        body = fn.body or fn.node
        top = depth == 0
        if top:
            self._names.add(name)
        handle = False
        derived: list[Node] = []
        positional = True  # every release is a statement of this function: exits before it can be checked
        while todo:
            current = todo.pop()
            for occ in facts.uses(current):
                if occ.id == decl.id:
                    continue
                use = use_of(occ)
                if self._paths:
                    use = _through_deref(use)
                if use.kind == "var" and use.node is not None:
                    if use.node.id == occ.id:
                        continue  # reassignment of the variable itself
                    alias = f.text(use.node)
                    if fns.facts(fn).declares(alias):
                        if alias not in names:
                            names.add(alias)
                            todo.append(alias)
                            if top:
                                self._names.add(alias)
                        continue
                    return HANDED_OFF  # stored into a package variable
                if _in_goroutine(occ, body):
                    # a goroutine that uses it owns it (it may run for the life of the process);
                    # a goroutine that closes it counts as a release below
                    sel = occ.parent
                    field = sel.child_by_field_name("field") if sel is not None and sel.type == "selector_expression" else None
                    if field is not None and f.text(field) in release:
                        fate = RELEASED
                        positional = False
                        continue
                    return HANDED_OFF
                if use.kind == "discard" or use.kind == "other":
                    continue
                if use.kind == "receiver":
                    sel = use.node
                    field = sel.child_by_field_name("field") if sel is not None else None
                    if sel is not None and field is not None and f.text(field) in self._paths:
                        sub = self._field_fate(f, pass_, fn, sel, self._paths[f.text(field)], depth)
                        if sub == HANDED_OFF:
                            return HANDED_OFF  # `return resp.Body`, `s.body = resp.Body`, passed on
                        if sub == RELEASED and (not _deferred_past_loop(occ, decl, f) or _block_returns(occ, body)):
                            if top:
                                self._release_site(occ, body)
                            if not on_error_path(f, occ, body):
                                fate = RELEASED
                        continue
                    if field is not None and f.text(field) in release and _deferred_past_loop(occ, decl, f):
                        continue  # `defer conn.Close()` in a loop body runs when the function returns
                    if field is not None and f.text(field) in release:
                        if top:
                            self._release_site(occ, body)
                        if not on_error_path(f, occ, body):
                            fate = RELEASED
                    elif sel is not None and sel.parent is not None and sel.parent.type == "call_expression" and not self._paths:
                        derived.append(sel.parent)  # looked at only if nothing releases it
                    continue
                result = self._fate(f, pass_, use, fn, release, depth)
                if result == HANDED_OFF:
                    return HANDED_OFF
                if result == HANDLE:
                    handle = True
                if result == RELEASED:
                    if top:
                        self._release_site(occ, body)
                    if not on_error_path(f, occ, body):
                        fate = RELEASED
        if fate == RELEASED:
            if not positional and top:
                self._sites = []
            return RELEASED
        returns_handle = any(not _PLAIN_RESULT.match(t.strip()) for _, t in fn.results)
        if holder:
            # a holder's calls (`client.Do(req)`) return data, not handles: the holder is still
            # dropped; a response returned keeps the value in use past the call, though (no fix
            # can release it here)
            if any(self._escapes(f, pass_, fn, d, 0, returned=returns_handle) for d in derived):
                self._held_escapes = True
            return HANDLE if handle else fate
        if handle or any(self._escapes(f, pass_, fn, d, 0, returned=returns_handle and not _operation(f, d)) for d in derived):
            return HANDLE
        return fate

    def _passed(self, f: SourceFile, pass_: Pass, fn: FuncInfo, call: Node, index: int, release: frozenset[str], depth: int) -> str:
        callee = callee_text(f, call)
        if any(rx.search(callee) for rx in self.non_owning):
            # a stub/wrapper (pb.NewFooClient(conn)) holds the value: kept alive if it is kept
            if any(rx.search(callee) for rx in self.wrappers) and self._escapes(f, pass_, fn, call, 0, returned=True):
                return HANDLE
            return LEAKED
        target = self._same_package_callee(f, pass_, call)
        if target is None or depth >= self.max_depth:
            return HANDED_OFF  # unknown code: assume it takes ownership
        if index >= len(target.params):
            return HANDED_OFF
        pname, ptype = target.params[min(index, len(target.params) - 1)]
        if pname.startswith("...") or pname == "_":
            return LEAKED if pname == "_" else HANDED_OFF
        if ptype.lstrip().startswith("..."):
            # `closeAll(a, b)` with `func closeAll(cs ...io.Closer)`: released if the body ranges
            # over the parameter and calls a release method on its element; else unknown
            body = target.body
            text = target.file.text(body) if body is not None else ""
            m = re.search(rf"for\s+(?:\w+\s*,\s*)?(\w+)\s*:=\s*range\s+{re.escape(pname)}\b", text)
            if m is None:
                return HANDED_OFF
            elem = re.escape(m.group(1))
            if any(re.search(rf"(?<![\w.]){elem}\.{re.escape(r)}\(", text) for r in release):
                return RELEASED
            # the element kept (stored, returned, sent, passed on): owned elsewhere; else dropped
            kept = rf"(?<![\w_])(?<!_ )=\s*{elem}\b|\breturn\b[^\n]*\b{elem}\b|<-\s*{elem}\b|[(,]\s*{elem}\s*[,)]"
            return HANDED_OFF if re.search(kept, text) else LEAKED
        tpass = pass_.file_pass(target.file)
        got = self._follow_var(target.file, tpass, target, pname, target.node, release, depth + 1)
        if got == HANDED_OFF and self._only_wraps(tpass, target, pname):
            # `func NewRulerClient(cc *grpc.ClientConn) RulerClient { return &rulerClient{cc} }` (a
            # generated stub in this package): the result holds the value, kept only if it is kept
            return HANDLE if self._escapes(f, pass_, fn, call, 0, returned=True) else LEAKED
        return LEAKED if got == HANDLE else got

    @staticmethod
    def _only_wraps(tpass: Pass, target: FuncInfo, pname: str) -> bool:
        """Does `target` use its parameter only in its return statements (returning it, or a
        composite holding it), so that its result is a handle around the value?"""
        body = target.body
        if body is None or not target.results:
            return False
        fns: FileFunctions = tpass.result_of(FUNCTIONS)
        occurrences = [n for n in fns.facts(target).uses(pname) if n.start_byte >= body.start_byte]
        if not occurrences:
            return False
        for occ in occurrences:
            if _inside(target.file, occ, "return_statement", body) is None:
                return False
        return True

    def _same_package_callee(self, f: SourceFile, pass_: Pass, call: Node) -> FuncInfo | None:
        fn_node = call.child_by_field_name("function")
        if fn_node is None or fn_node.type != "identifier":
            return None
        decls: PackageDecls = pass_.result_of(PACKAGE_DECLS)
        cands = decls.functions_named(f.text(fn_node))
        return cands[0] if len(cands) == 1 else None
