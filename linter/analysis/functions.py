"""Per-file function index and per-function def-use facts.

Computed once per file (`FUNCTIONS`) and once per package (`PACKAGE_DECLS`), then shared by
the lifetime, loop-context, taint and retention checks. Names are looked up where the bytes
hold them (a find, then a byte-range descent in the tree), so the Python side never walks
every node, and a package-wide question parses only the files whose text can answer it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import tree_sitter

from linter.analysis.framework import Analyzer, Package, PackagePass, Pass, package_work
from linter.parsing import FUNCTION_KINDS, SourceFile

Node = tree_sitter.Node


@dataclass(eq=False)
class FuncInfo:
    node: Node
    file: SourceFile
    name: str | None  # None for func literals
    receiver: str | None = None  # receiver variable name
    receiver_type: str | None = None  # "Server" for (s *Server)
    params: list[tuple[str, str]] = field(default_factory=list)  # (name, type text) in order
    results: list[tuple[str, str]] = field(default_factory=list)

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")

    @property
    def display(self) -> str:
        if self.name is None:
            return f"func literal at line {self.node.start_point[0] + 1}"
        if self.receiver_type:
            return f"{self.receiver_type}.{self.name}"
        return self.name

    def param_type(self, name: str) -> str | None:
        for n, t in self.params:
            if n == name:
                return t
        if name == self.receiver and self.receiver_type is not None:
            return self.receiver_type
        return None

    def param_index(self, name: str) -> int | None:
        for i, (n, _) in enumerate(self.params):
            if n == name:
                return i
        return None


def _param_list(f: SourceFile, node: Node | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if node is None:
        return out
    for decl in node.named_children:
        if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        tnode = decl.child_by_field_name("type")
        ttext = f.text(tnode) if tnode is not None else ""
        if decl.type == "variadic_parameter_declaration":
            ttext = "..." + ttext
        names = decl.children_by_field_name("name")
        if not names:
            out.append(("_", ttext))
        for n in names:
            out.append((f.text(n), ttext))
    return out


def _func_info(f: SourceFile, node: Node) -> FuncInfo:
    name_node = node.child_by_field_name("name")
    info = FuncInfo(node=node, file=f, name=f.text(name_node) if name_node is not None else None)
    info.params = _param_list(f, node.child_by_field_name("parameters"))
    result = node.child_by_field_name("result")
    if result is not None and result.type == "parameter_list":
        info.results = _param_list(f, result)
    elif result is not None:
        info.results = [("", f.text(result))]
    if node.type == "method_declaration":
        recv = _param_list(f, node.child_by_field_name("receiver"))
        if recv:
            info.receiver = recv[0][0]
            info.receiver_type = recv[0][1].lstrip("*").split("[")[0].strip()
    return info


class FileFunctions:
    """All functions of a file and the innermost function enclosing any node."""

    def __init__(self, f: SourceFile) -> None:
        self.file = f
        self._infos: dict[int, FuncInfo] = {}
        self._facts: dict[int, FuncFacts] = {}
        self._slices: dict[int, bool] = {}
        self._enclosing: dict[int, Node | None] = {}  # node id -> its innermost function node

    def info(self, node: Node) -> FuncInfo:
        """The FuncInfo of a function node, built on first use (most functions never are)."""
        got = self._infos.get(node.id)
        if got is None:
            got = _func_info(self.file, node)
            self._infos[node.id] = got
        return got

    def enclosing(self, node: Node | None) -> FuncInfo | None:
        """The innermost function around `node`. Remembered for every node the walk passed, so
        the next walk from nearby stops where this one went by (deep code asks a lot)."""
        if node is None:
            return None
        memo = self._enclosing
        if node.id in memo:
            got = memo[node.id]
        else:
            passed, got = [node], None
            for n in self.file.ancestors(node):
                if n.type in FUNCTION_KINDS:
                    got = n
                    break
                if n.id in memo:
                    got = memo[n.id]
                    break
                passed.append(n)
            for n in passed:
                memo[n.id] = got
        return self.info(got) if got is not None else None

    def outermost(self, node: Node) -> FuncInfo | None:
        """The top-level declaration containing `node` (through any func literals)."""
        best = None
        for n in (node, *self.file.ancestors(node)):
            if n.type in ("function_declaration", "method_declaration"):
                return self.info(n)
            if n.type == "func_literal":
                best = n
        return self.info(best) if best is not None else None

    def has_slice(self, fn: FuncInfo) -> bool:
        """Does `fn` (nested literals included) hold a slice expression written as SLICE_TEXT
        says? Found from the bytes: each `[...:` hit's colon is looked up in the tree, and one
        that is a slice expression's own colon answers (a query over the function costs more)."""
        got = self._slices.get(fn.node.id)
        if got is None:
            got = False
            data, end, root = self.file.data, fn.node.end_byte, self.file.root
            m = SLICE_TEXT.search(data, fn.node.start_byte, end)
            while m is not None and not got:
                colon = m.end() - 1
                n = root.descendant_for_byte_range(colon, colon + 1)
                got = n is not None and n.type == ":" and n.parent is not None and n.parent.type == "slice_expression"
                m = SLICE_TEXT.search(data, m.start() + 1, end)  # overlapping: `x[y[1:]:]` holds two
            self._slices[fn.node.id] = got
        return got

    def facts(self, fn: FuncInfo) -> FuncFacts:
        got = self._facts.get(fn.node.id)
        if got is None:
            got = FuncFacts(fn)
            self._facts[fn.node.id] = got
        return got


class FuncFacts:
    """Where each identifier occurs inside one function (nested literals included), looked up
    per name from the function's bytes: a check asks about two or three names, so indexing
    every identifier of the function would be wasted work."""

    def __init__(self, fn: FuncInfo) -> None:
        self.fn = fn
        self._uses: dict[str, list[Node]] = {}

    def uses(self, name: str) -> list[Node]:
        got = self._uses.get(name)
        if got is None:
            got = _identifiers_named(self.fn.file, name, self.fn.node.start_byte, self.fn.node.end_byte)
            self._uses[name] = got
        return got

    def declares(self, name: str) -> bool:
        """Is `name` a parameter, result, receiver or local of this function (or a nested one)?"""
        if self.fn.param_type(name) is not None or any(n == name for n, _ in self.fn.results):
            return True
        return any(is_declaration(n) for n in self.uses(name))

    def assignments(self, name: str) -> list[Node]:
        """Right-hand sides assigned to local `name` (`name := e`, `name = e`, `var name = e`)."""
        out = []
        for occ in self.uses(name):
            rhs = assigned_value(occ)
            if rhs is not None:
                out.append(rhs)
        return out


def _identifiers_named(f: SourceFile, name: str, start: int, end: int) -> list[Node]:
    """The `identifier` nodes spelled `name` within [start, end), in source order. A hit inside a
    comment or a string is not an identifier node of exactly that range, so it drops out."""
    n = len(name.encode())
    out = []
    for i in word_positions(f.data, name.encode(), start, end):
        node = f.root.descendant_for_byte_range(i, i + n)
        if node is not None and node.type == "identifier" and node.start_byte == i and node.end_byte == i + n:
            out.append(node)
    return out


def word_positions(data: bytes, name: bytes, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Where `name` occurs in data[start:end] as a whole name: no ASCII name character, and no
    byte of a non-ASCII one, on either side (no Go operator is non-ASCII)."""
    end = len(data) if end is None else end
    n = len(name)
    if n == 1:  # `b`, `s`: too many raw hits for a Python loop; the regex's \b does the first cut
        hits: Iterable[int] = (m.start() for m in _one_letter(name).finditer(data, start, end))
    else:
        hits = _find_all(data, name, start, end)
    for i in hits:
        if (i == 0 or not NAME_BYTE[data[i - 1]]) and (i + n >= len(data) or not NAME_BYTE[data[i + n]]):
            yield i


def _find_all(data: bytes, needle: bytes, start: int, end: int) -> Iterator[int]:
    i = data.find(needle, start, end)
    while i != -1:
        yield i
        i = data.find(needle, i + 1, end)


@functools.cache
def _one_letter(needle: bytes) -> re.Pattern[bytes]:
    quoted = re.escape(needle)  # the name first: a literal is scanned for fast, a leading \b is not
    return re.compile(quoted + rb"(?<!\w" + quoted + rb")(?!\w)")


# A slice expression as text, up to its first colon: `x[a:b]`, `x[a[i]:]` (one level of nested
# brackets), on one line (gofmt never breaks one there). Starts with a literal: a fast scan.
# The nested brackets hold no bracket either: a `[` can then start at most one long attempt
# (`[^\]\n]*` there made every `[` of `a[[[[...` scan to the end of its line: quadratic).
SLICE_TEXT = re.compile(rb"\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*:")

# Bytes that can be part of a Go identifier: ASCII letters, digits, `_`, and any byte of a
# non-ASCII character (outside strings and comments, only letters can be non-ASCII).
NAME_BYTE = [c >= 0x80 or chr(c).isalnum() or c == 0x5F for c in range(256)]


def is_declaration(ident: Node) -> bool:
    """Is this identifier occurrence the one that declares a variable?"""
    p = ident.parent
    if p is None:
        return False
    if p.type in ("var_spec", "const_spec", "parameter_declaration", "variadic_parameter_declaration"):
        return True
    if p.type == "expression_list":
        gp = p.parent
        if gp is None:
            return False
        if gp.type == "type_switch_statement":
            return True
        left = gp.child_by_field_name("left")
        if left is None or left.id != p.id:
            return False
        if gp.type == "short_var_declaration":
            return True
        if gp.type in ("range_clause", "receive_statement"):
            return any(c.type == ":=" for c in gp.children)
    return False


def assigned_value(ident: Node) -> Node | None:
    """If `ident` is the target of an assignment, the expression assigned to it (same index)."""
    p = ident.parent
    if p is None:
        return None
    if p.type == "var_spec":
        names = p.children_by_field_name("name")
        value = p.child_by_field_name("value")
        if value is None:
            return None
        vals = value.named_children
        idx = [n.id for n in names].index(ident.id) if ident.id in [n.id for n in names] else -1
        if idx < 0:
            return None
        if len(vals) == len(names):
            return vals[idx]
        return vals[0] if vals else None
    if p.type != "expression_list":
        return None
    gp = p.parent
    if gp is None or gp.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left = gp.child_by_field_name("left")
    if left is None or left.id != p.id:
        return None
    op = gp.child_by_field_name("operator")
    if op is not None and op.type not in ("=", ":="):
        # `x += y` keeps x's old value and adds y's: both flow in.
        right = gp.child_by_field_name("right")
        return right.named_children[0] if right is not None and right.named_children else None
    right = gp.child_by_field_name("right")
    if right is None:
        return None
    lefts = p.named_children
    rights = right.named_children
    idx = next((i for i, n in enumerate(lefts) if n.id == ident.id), -1)
    if idx < 0:
        return None
    if len(lefts) == len(rights):
        return rights[idx]
    return rights[0] if rights else None  # multi-value call: x, err := f()


def _run_functions(pass_: Pass) -> FileFunctions:
    return FileFunctions(pass_.file)


FUNCTIONS = Analyzer(
    name="functions",
    doc="index of the file's functions and per-function identifier occurrences",
    run=_run_functions,
)


# Where a name can stand, as text: a call `f(`, a method call `.m(`, a declaration `func (r T) m(`.
# Each starts with literal text, which Python's regex engine scans for fast; the test of what
# comes before the name is a lookbehind after it (a leading lookbehind is 10x slower to scan).
CALL = rb"({})(?<![\w.]{})\s*\("
METHOD_CALL = rb"\.\s*({})\s*\("
FUNC_DECL = rb"func(?<!\wfunc)\b[^\n{]*?(?<![\w.])({})\s*[\[(]"
ANY_USE = rb"({})(?<!\w{})(?!\w)"


def name_occurrences(package: Package, name: str, shape: bytes = ANY_USE) -> list[tuple[SourceFile, Node]]:
    """The identifier-like nodes spelled `name` where the package's text has `shape` (one of the
    templates above): only files with such text are parsed, and each hit is a byte-range lookup
    in the tree (no walk). Comments and strings drop out by node type. Memoized per package."""
    key = ("occurrences", name, shape)
    got = package.memo.get(key)
    if got is None:
        got = []
        quoted = re.escape(name.encode())
        rx = re.compile(shape.replace(b"{}", quoted))  # group 1: the name itself
        for f in package.files_matching(name.encode(), rx):
            for m in rx.finditer(f.data):
                start, end = m.span(1)
                node = f.root.descendant_for_byte_range(start, end)
                if node is not None and node.type in _NAME_KINDS and node.start_byte == start and node.end_byte == end:
                    got.append((f, node))
        package.memo[key] = got
    return got  # type: ignore[no-any-return]


_NAME_KINDS = frozenset({"identifier", "field_identifier", "type_identifier"})


class PackageDecls:
    """Top-level names of a package, looked up by name on demand: functions and methods, and
    whether a package variable is initialised with a map literal (a fixed lookup table). A
    lookup parses only the files that contain the name. Plain variable names come from the
    text-only PACKAGE_VARS."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self._funcs: dict[str, list[FuncInfo]] = {}
        self._methods: dict[str, list[FuncInfo]] = {}
        self._maps: dict[str, bool] = {}

    def functions_named(self, name: str) -> list[FuncInfo]:
        if name not in self._funcs:
            self._funcs[name] = self._declared(name, "function_declaration")
        return self._funcs[name]

    def methods_named(self, name: str) -> list[FuncInfo]:
        if name not in self._methods:
            self._methods[name] = self._declared(name, "method_declaration")
        return self._methods[name]

    def _declared(self, name: str, kind: str) -> list[FuncInfo]:
        out = []
        with package_work(f"package declarations (functions named {name})"):
            for f, node in name_occurrences(self.package, name, FUNC_DECL):
                p = node.parent
                if p is not None and p.type == kind and is_field(p, "name", node):
                    out.append(self.package.pass_for(f).result_of(FUNCTIONS).info(p))
        return out

    def is_map_literal(self, name: str) -> bool:
        """Is `name` a package variable initialised by a map literal (`var m = map[..]..{...}`)?"""
        got = self._maps.get(name)
        if got is None:
            got = False
            with package_work(f"package declarations (the variable {name})"):
                for f, node in name_occurrences(self.package, name):
                    spec = node.parent
                    if spec is None or spec.type != "var_spec" or not any(n.id == node.id for n in spec.children_by_field_name("name")):
                        continue
                    decl = spec.parent
                    if decl is not None and decl.type == "var_spec_list":
                        decl = decl.parent
                    if decl is None or decl.type != "var_declaration" or decl.parent is None or decl.parent.type != "source_file":
                        continue
                    value = spec.child_by_field_name("value")
                    v = value.named_children[0] if value is not None and value.named_children else None
                    if v is not None and v.type == "composite_literal" and f.text(v).startswith("map["):
                        got = True
                        break
            self._maps[name] = got
        return got


def is_field(parent: Node, field_name: str, node: Node) -> bool:
    """Is `node` the child of `parent` in `field_name` (`function` of a call, `name` of a decl)?"""
    child = parent.child_by_field_name(field_name)
    return child is not None and child.id == node.id


def _run_package_decls(pp: PackagePass) -> PackageDecls:
    return PackageDecls(pp.package)


_TOP_VAR = re.compile(rb"^var\s+([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)", re.MULTILINE)
_VAR_BLOCK = re.compile(rb"^var\s*\((.*?)^\)", re.MULTILINE | re.DOTALL)
_BLOCK_NAME = re.compile(rb"^\t([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)", re.MULTILINE)


def _run_package_vars(pp: PackagePass) -> set[str]:
    """Package-level variable names, read from the source text of every file of the package:
    gofmt'd code puts them at column 0 (`var x`) or one tab into a `var (...)` block, so no
    sibling needs parsing just to answer "is this a package variable?"."""
    names: set[str] = set()
    for data in pp.package.sources():
        for m in _TOP_VAR.finditer(data):
            names.update(n.strip().decode() for n in m.group(1).split(b","))
        for block in _VAR_BLOCK.finditer(data):
            for m in _BLOCK_NAME.finditer(block.group(1)):
                names.update(n.strip().decode() for n in m.group(1).split(b","))
    return names


PACKAGE_VARS = Analyzer(
    name="package-vars",
    doc="names of package-level variables, from the package's source text (no parsing)",
    run=_run_package_vars,
    package_level=True,
)


PACKAGE_DECLS = Analyzer(
    name="package-decls",
    doc="package-level functions and methods by name, and map-literal tables, looked up on demand",
    run=_run_package_decls,
    package_level=True,
)


def declared_type(pass_: Pass, ident: Node) -> str | None:
    """The declared type of an identifier from the enclosing functions' parameters or `var` decls."""
    fns: FileFunctions = pass_.result_of(FUNCTIONS)
    name = pass_.file.text(ident)
    fn = fns.enclosing(ident)
    while fn is not None:
        t = fn.param_type(name)
        if t is not None:
            return t
        for occ in fns.facts(fn).uses(name):
            p = occ.parent
            if p is not None and p.type == "var_spec":
                tn = p.child_by_field_name("type")
                if tn is not None:
                    return pass_.file.text(tn)
        fn = fns.enclosing(fn.node)
    return None
