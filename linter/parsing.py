"""Parsing Go with tree-sitter: one Language and Parser per process, and a SourceFile that keeps
the bytes, the tree and cheap line/column lookups together so every analysis shares them."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import tree_sitter
import tree_sitter_go

LANGUAGE = tree_sitter.Language(tree_sitter_go.language())

FUNCTION_KINDS = frozenset({"function_declaration", "method_declaration", "func_literal"})
_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\s*$", re.MULTILINE)
_PACKAGE = re.compile(rb"^package\s+([A-Za-z_][A-Za-z0-9_]*)", re.MULTILINE)


@cache
def parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(LANGUAGE)


@lru_cache(maxsize=512)
def query(source: str) -> tree_sitter.Query:
    """Queries are compiled once per process and reused for every file."""
    return tree_sitter.Query(LANGUAGE, source)


def is_generated(data: bytes) -> bool:
    # The marker may follow the package clause (docker's swagger types), so the whole file
    # counts; a plain substring test first spares the regex on almost every file.
    return b"DO NOT EDIT" in data and _GENERATED.search(data) is not None


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

    @classmethod
    def parse(cls, path: str, data: bytes) -> SourceFile:
        return cls(path, data, parser().parse(data))

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
            starts = [0]
            find = self.data.find
            i = find(b"\n")
            while i != -1:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def column(self, byte_offset: int) -> int:
        """1-based column in characters (not bytes), so non-ASCII lines report what editors show."""
        starts = self.line_starts()
        line = bisect.bisect_right(starts, byte_offset) - 1
        prefix = self.data[starts[line] : byte_offset]
        if prefix.startswith(b"\xef\xbb\xbf") and line == 0:
            prefix = prefix[3:]
        return len(prefix.decode("utf-8", "replace")) + 1
