"""Parsing Go with tree-sitter: one Language and Parser per process, and a SourceFile that keeps
the bytes, the tree and cheap line/column lookups together so every analysis shares them."""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

import tree_sitter


def _go_language() -> object:
    """tree-sitter-go's grammar. Its package __init__ imports importlib.resources (pathlib,
    tempfile, shutil: a tenth of goplumber's start-up) for query files we never read, so the
    compiled binding is loaded on its own when it can be found; else the package as usual."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("tree_sitter_go")
        for where in (spec.submodule_search_locations or []) if spec else []:
            for name in sorted(os.listdir(where)):
                if name.startswith("_binding.") and name.endswith((".so", ".pyd")):
                    binding = importlib.util.spec_from_file_location("tree_sitter_go._binding", os.path.join(where, name))
                    if binding is not None and binding.loader is not None:
                        module = importlib.util.module_from_spec(binding)
                        binding.loader.exec_module(module)
                        return module.language()
    except (ImportError, OSError, AttributeError):
        pass
    import tree_sitter_go

    return tree_sitter_go.language()


LANGUAGE = tree_sitter.Language(_go_language())

FUNCTION_KINDS = frozenset({"function_declaration", "method_declaration", "func_literal"})
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\s*$", re.MULTILINE)
_PACKAGE = re.compile(rb"^package\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


@cache
def parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(LANGUAGE)


@cache
def _ranged_parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(LANGUAGE)  # its own, so the shared parser never keeps ranges


@lru_cache(maxsize=512)
def query(source: str) -> tree_sitter.Query:
    """Queries are compiled once per process and reused for every file."""
    return tree_sitter.Query(LANGUAGE, source)


def captures(q: tree_sitter.Query, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    """`QueryCursor(q).captures(node)`, each list in document order (outer node first). tree-sitter
    returns captures out of order in trees with errors, and that order changed from run to run
    (with the hash seed): which of two `time.AfterFunc` calls a message named depended on it."""
    return {name: sorted(nodes, key=_document_order) for name, nodes in tree_sitter.QueryCursor(q).captures(node).items()}


def _document_order(n: tree_sitter.Node) -> tuple[int, int, int]:
    return (n.start_byte, -n.end_byte, -n.descendant_count)


def is_generated(data: bytes) -> bool:
    # The marker may follow the package clause (docker's swagger types), so the whole file
    # counts; a plain substring test first spares the regex on almost every file.
    return b"DO NOT EDIT" in data and _GENERATED.search(data) is not None


_BUILD_IGNORE = re.compile(rb"(?m)^//\s*(go:build|\+build)\s+ignore\s*$")


def is_never_built(data: bytes) -> bool:
    """`//go:build ignore` before the package clause: a generator or an example the go tool
    never builds (`go run gen.go`), not code that runs in a service."""
    head = data[: data.find(b"\npackage ")] if b"\npackage " in data else data[:4096]
    return b"ignore" in head and _BUILD_IGNORE.search(head) is not None


def package_name(data: bytes) -> str | None:
    m = _PACKAGE.search(data)
    return m.group(1).decode() if m else None


@dataclass(eq=False)
class SourceFile:
    """A parsed Go file. `path` is what we report; `data` the raw bytes (positions are bytes)."""

    path: str
    data: bytes
    tree: tree_sitter.Tree
    _line_starts: list[int] = field(default_factory=list, repr=False)
    ranges: list[tuple[int, int]] | None = None  # the byte ranges parsed, when not the whole file (see `parse`)
    _ancestry: Ancestry | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, path: str, data: bytes, ranges: list[tuple[int, int]] | None = None) -> SourceFile:
        """Parse the file, or only the byte `ranges` (whole top-level declarations) when given:
        positions stay those of the file. If the pieces do not parse cleanly on their own (code
        that is not gofmt'd, a raw string holding Go), the whole file is parsed instead."""
        if ranges:
            points: dict[int, tuple[int, int]] = {}
            row, last = 0, 0
            for offset in sorted({x for r in ranges for x in r}):  # rows counted in C, once over the file
                row += data.count(b"\n", last, offset)
                last = offset
                points[offset] = (row, offset - (data.rfind(b"\n", 0, offset) + 1))
            p = _ranged_parser()
            p.included_ranges = [tree_sitter.Range(points[a], points[b], a, b) for a, b in ranges]
            tree = p.parse(data)
            if not tree.root_node.has_error:
                return cls(path, data, tree, ranges=ranges)
        tree = parser().parse(data)
        if tree.root_node.has_error and b"new(" in data:
            tree = _parse_new_expr(data, tree)
        return cls(path, data, tree)

    @property
    def partial(self) -> bool:
        return self.ranges is not None

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @property
    def has_syntax_errors(self) -> bool:
        return self.root.has_error

    @property
    def ancestry(self) -> Ancestry:
        """Parents of this file's nodes in O(1) amortised (see Ancestry); `Node.parent` costs the
        node's depth, so walking up from a deep node with it costs the depth squared."""
        if self._ancestry is None:
            self._ancestry = Ancestry(self.root)
        return self._ancestry

    def parent(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        return self.ancestry.parent(node)

    def ancestors(self, node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
        """The ancestors of `node`, innermost first."""
        return self.ancestry.ancestors(node)

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_starts(self) -> list[int]:
        if not self._line_starts:
            self._line_starts = _line_starts(self.data)
        return self._line_starts

    def column(self, byte_offset: int) -> int:
        """1-based column in bytes, as go vet and golangci-lint report it (a leading BOM is not
        counted). SARIF output converts it to code points."""
        starts = self.line_starts()
        line = bisect.bisect_right(starts, byte_offset) - 1
        column = byte_offset - starts[line] + 1
        if line == 0 and self.data.startswith(b"\xef\xbb\xbf") and byte_offset >= 3:
            column -= 3
        return column


class Ancestry:
    """Parent lookups for one tree that cost its depth once, not once per step.

    tree-sitter nodes keep no parent pointer: `Node.parent` descends from the root, so a walk up
    from a node d levels deep makes d descents (10,000 nested closures are 50,000 levels: 5 ms a
    step, minutes a walk). Here one descent to a node records the parent of every node on the
    way, and the next descent starts from the deepest node of the previous path that contains
    its target: walking up is then dictionary lookups, and nearby nodes share most of a path."""

    def __init__(self, root: tree_sitter.Node) -> None:
        self.root = root
        self._parent: dict[int, tree_sitter.Node] = {}
        self._path: list[tree_sitter.Node] = [root]  # the last descent, root first
        self.descents = 0  # how many descents were made (for tests: lookups must reuse them)

    def parent(self, node: tree_sitter.Node) -> tree_sitter.Node | None:
        got = self._parent.get(node.id)
        if got is not None or node.id == self.root.id:
            return got
        path = self._path
        lo, hi = 0, len(path) - 1  # the deepest path node whose range holds the node's
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if path[mid].start_byte <= node.start_byte and node.end_byte <= path[mid].end_byte and path[mid].id != node.id:
                lo = mid
            else:
                hi = mid - 1
        got = self._descend(lo, node)
        if got is None and lo > 0:
            got = self._descend(0, node)  # a range that misled (zero-width nodes): from the root
        return got if got is not None else node.parent

    def _descend(self, start: int, node: tree_sitter.Node) -> tree_sitter.Node | None:
        self.descents += 1
        path = self._path[: start + 1]
        cur = path[-1]
        while cur.id != node.id:
            nxt = cur.child_with_descendant(node)
            if nxt is None:
                return None
            self._parent[nxt.id] = cur
            path.append(nxt)
            cur = nxt
        self._path = path
        return self._parent.get(node.id)

    def ancestors(self, node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
        n = self.parent(node)
        while n is not None:
            yield n
            n = self.parent(n)


def ancestors_of(node: tree_sitter.Node, f: SourceFile | None = None) -> Iterator[tree_sitter.Node]:
    """The ancestors of `node`, innermost first: through the file's Ancestry when the file is
    known (see there why), else by `Node.parent`."""
    if f is not None:
        yield from f.ancestors(node)
        return
    n = node.parent
    while n is not None:
        yield n
        n = n.parent


# Go 1.26's `new(expr)` (`new(string(b))`, `new(x + 1)`): tree-sitter-go 0.25, the newest on
# PyPI, only knows `new(Type)` and reports a syntax error. Such a call parses cleanly once
# `new` is spelt as another identifier of the same length (an ordinary call whose argument is an
# expression); `SourceFile.text` reads the original bytes, so reports still say `new`.
_NEW_CALL = re.compile(rb"\bnew\((?!\s*(?:\[|map\[|struct\b|interface\b|func\b|chan\b|<-))")


def _error_count(node: tree_sitter.Node) -> int:
    if not node.has_error:
        return 0
    return int(node.is_error or node.is_missing) + sum(_error_count(c) for c in node.children)


def _error_rows(node: tree_sitter.Node, out: set[tuple[int, int]]) -> set[tuple[int, int]]:
    if node.is_error or node.is_missing:
        out.add((node.start_point[0], node.end_point[0]))
    elif node.has_error:
        for c in node.children:
            _error_rows(c, out)
    return out


def _parse_new_expr(data: bytes, tree: tree_sitter.Tree, rounds: int = 3) -> tree_sitter.Tree:
    """Re-parse with the `new(` calls on the lines of syntax errors spelt `neW(`, as long as that
    leaves fewer errors (the file is Go 1.26 code, not broken code); else the first tree."""
    starts = _line_starts(data)
    buf = bytearray(data)
    best, errors = tree, _error_count(tree.root_node)
    for _ in range(rounds):
        changed = False
        for first, last in _error_rows(best.root_node, set()):
            lo = starts[first] if first < len(starts) else len(data)
            hi = starts[last + 1] if last + 1 < len(starts) else len(data)
            for m in _NEW_CALL.finditer(data, lo, hi):
                if buf[m.start() + 2] != ord("W"):
                    buf[m.start() + 2] = ord("W")
                    changed = True
        if not changed:
            break
        repaired = parser().parse(bytes(buf))
        left = _error_count(repaired.root_node)
        if left >= errors:
            break
        best, errors = repaired, left
        if not errors:
            break
    return best


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    find = data.find
    i = find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts
