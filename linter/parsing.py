"""Parsing Go with tree-sitter: one Language and Parser per process, and a SourceFile that keeps
the bytes, the tree and cheap line/column lookups together so every analysis shares them."""

from __future__ import annotations

import bisect
import os
import re
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
        return cls(path, data, parser().parse(data))

    @property
    def partial(self) -> bool:
        return self.ranges is not None

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @property
    def has_syntax_errors(self) -> bool:
        return self.root.has_error

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


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    find = data.find
    i = find(b"\n")
    while i != -1:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts
