"""Rule regexes, compiled once when the rule is built.

Every run builds its rules the same way (the rule cache holds the parsed documents, not
compiled objects), so every regex of a rule is compiled at load, before any file's budget
starts: a 10 MB rule regex cost the same on a warm run as on a cold one (it used to come back
from a pickled cache uncompiled and be compiled inside the first file's budget, so a warm run
timed the file out where the cold one finished). `validate=False` defers the compilation to the
first use; only code that builds throwaway regexes of its own should ask for it.
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
        self._compiled = re.compile(self.pattern, self.flags)  # where a fresh one is compiled: at load

    def __repr__(self) -> str:
        return f"LazyRegex({self.pattern!r})"
