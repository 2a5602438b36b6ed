"""Regexes that compile on first use.

Rules come back from the compiled-rule cache with dozens of regexes (callee lists, constraints,
sanitizer names). Unpickling a compiled `re.Pattern` compiles it again, which alone cost a
pre-commit run on one file ~15 ms; most of them are never used on a small run. A `LazyRegex`
is validated once when the rule is first compiled and pickles as its source text only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

from linter.budget import uncharged

S = TypeVar("S", str, bytes)


class LazyRegex(Generic[S]):
    __slots__ = ("pattern", "flags", "_compiled")

    def __init__(self, pattern: S, flags: int = 0, validate: bool = True) -> None:
        self.pattern: S = pattern
        self.flags = flags
        self._compiled: re.Pattern[S] | None = re.compile(pattern, flags) if validate else None  # raises re.error

    @property
    def compiled(self) -> re.Pattern[S]:
        if self._compiled is None:
            with uncharged():  # once per process: not charged to the file that happens to be first
                self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def search(self, string: S, *args: Any) -> re.Match[S] | None:
        return self.compiled.search(string, *args)

    def match(self, string: S, *args: Any) -> re.Match[S] | None:
        return self.compiled.match(string, *args)

    def fullmatch(self, string: S, *args: Any) -> re.Match[S] | None:
        return self.compiled.fullmatch(string, *args)

    def finditer(self, string: S, *args: Any) -> Iterator[re.Match[S]]:
        return self.compiled.finditer(string, *args)

    def __getstate__(self) -> tuple[S, int]:
        return (self.pattern, self.flags)

    def __setstate__(self, state: tuple[S, int]) -> None:
        self.pattern, self.flags = state
        self._compiled = None

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r})"
