"""The analysis driver, after golang.org/x/tools/go/analysis.

An `Analyzer` is a small value: a name, a doc line, a `run` function and the analyzers it
`requires`. A `Pass` is the one interface between an analysis and the driver: it carries the
file (and, lazily, the rest of its package) and `result_of(analyzer)`, which computes each
analyzer at most once per file (or once per package for package-level analyzers) and shares the
result with every rule and check that asks for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from linter.budget import package_work
from linter.parsing import SourceFile, package_name
from linter.safeio import read_bounded

MAX_SIBLING_BYTES = 2_000_000


@dataclass(frozen=True, eq=False)
class Analyzer:
    name: str
    doc: str
    run: Callable[[Any], Any]
    requires: tuple[Analyzer, ...] = ()
    package_level: bool = False

    def __repr__(self) -> str:
        return f"Analyzer({self.name})"


@dataclass(eq=False)
class Package:
    """The Go package (directory + package clause) a checked file belongs to.

    Files being checked are added by the engine; siblings that were not asked for (a pre-commit
    hook passes single files) are parsed only if a package-level analysis needs them.
    """

    directory: str
    name: str | None
    files: list[SourceFile] = field(default_factory=list)
    complete: bool = False
    results: dict[Analyzer, Any] = field(default_factory=dict)
    go_version: tuple[int, int] | None = None
    passes: dict[int, Pass] = field(default_factory=dict)
    memo: dict[Any, Any] = field(default_factory=dict)  # checks' package-wide memos
    _siblings_found: list[tuple[str, bytes]] | None = field(default=None, repr=False)
    _entries: tuple[int, list[tuple[str, bytes]]] | None = field(default=None, repr=False)
    _by_key: dict[str, SourceFile] = field(default_factory=dict, repr=False)
    preread: dict[str, bytes] = field(default_factory=dict, repr=False)  # abspath -> bytes the engine already read

    def pass_for(self, f: SourceFile) -> Pass:
        """One Pass per file, so file-level results are computed once whoever asks."""
        p = self.passes.get(id(f))
        if p is None:
            p = Pass(f, self, self.go_version)
            self.passes[id(f)] = p
        return p

    def sources(self) -> list[bytes]:
        """The bytes of every file of the package, without parsing the ones not yet parsed."""
        return [data for _, data in self.entries()]

    def _siblings(self) -> list[tuple[str, bytes]]:
        if self._siblings_found is not None:
            return self._siblings_found
        found: list[tuple[str, bytes]] = []
        try:
            names = os.listdir(self.directory or ".")
        except OSError:
            names = []
        here = os.path.abspath(self.directory or ".")
        # a file given on stdin under a stand-in name need not exist on disk
        names = sorted({*names, *(os.path.basename(k) for k in self.preread if os.path.dirname(k) == here)})
        for n in names:
            p = os.path.join(self.directory, n)
            if not n.endswith(".go"):
                continue
            known = self.preread.get(os.path.abspath(p))
            if known is not None:  # read by the engine a moment ago: same checks, no second read
                if b"\0" not in known and len(known) <= MAX_SIBLING_BYTES and package_name(known) == self.name:
                    found.append((p, known))
                continue
            try:
                if not os.path.isfile(p) or os.path.getsize(p) > MAX_SIBLING_BYTES:
                    continue
                data = read_bounded(p, MAX_SIBLING_BYTES, "file")  # a regular file: a FIFO never blocks
            except OSError:
                continue
            if b"\0" in data or package_name(data) != self.name:
                continue
            found.append((p, data))
        self._siblings_found = found
        return found

    def entries(self) -> list[tuple[str, bytes]]:
        """(path, bytes) of every file of the package, parsed or not, in path order (so whatever
        is built from them does not depend on which files were asked for)."""
        cached = self._entries
        if cached is not None and cached[0] == len(self.files):
            return cached[1]
        by_key = {os.path.abspath(f.path): (f.path, f.data) for f in self.files}
        for p, data in self._siblings():
            by_key.setdefault(os.path.abspath(p), (p, data))
        found = [by_key[k] for k in sorted(by_key)]
        self._entries = (len(self.files), found)
        return found

    def parsed(self, path: str, data: bytes) -> SourceFile:
        """The SourceFile of one of `entries()`, parsed on first use."""
        key = os.path.abspath(path)
        if len(self._by_key) != len(self.files):
            self._by_key = {os.path.abspath(f.path): f for f in self.files}
        got = self._by_key.get(key)
        if got is None:
            got = SourceFile.parse(path, data)
            self.files.append(got)
            self._by_key[key] = got
        return got

    def files_containing(self, needles: list[list[bytes]] | None) -> list[SourceFile]:
        """The package's files that contain every needle of one of the alternatives, parsed on
        demand: a package-wide question about one name never parses the files without it.
        `None` means no constraint (every file)."""
        out = []
        for path, data in self.entries():
            if needles is None or any(all(n in data for n in alt) for alt in needles):
                out.append(self.parsed(path, data))
        return out

    def files_matching(self, needle: bytes, rx: re.Pattern[bytes]) -> list[SourceFile]:
        """The package's files whose text contains `needle` and matches `rx`, parsed on demand."""
        return [self.parsed(path, data) for path, data in self.entries() if needle in data and rx.search(data)]

    def all_files(self) -> list[SourceFile]:
        if not self.complete:
            self.files_containing(None)
            self.complete = True  # only once every file is parsed: an interrupted parse is redone
        return self.files


class PackagePass:
    """What a package-level analyzer sees: every file of the package."""

    def __init__(self, package: Package) -> None:
        self.package = package

    @property
    def files(self) -> list[SourceFile]:
        return self.package.all_files()

    def result_of(self, analyzer: Analyzer) -> Any:
        return _compute(analyzer, self.package.results, self)


class Pass:
    """What a rule, a check or a file-level analyzer sees for one file."""

    def __init__(self, file: SourceFile, package: Package, go_version: tuple[int, int] | None = None):
        self.file = file
        self.package = package
        self.go_version = go_version
        self._results: dict[Analyzer, Any] = {}
        self._pkg_pass = PackagePass(package)

    def result_of(self, analyzer: Analyzer) -> Any:
        if analyzer.package_level:
            return self._pkg_pass.result_of(analyzer)
        return _compute(analyzer, self._results, self)

    def file_pass(self, f: SourceFile) -> Pass:
        """The Pass of another file of the same package (shared, so results are reused)."""
        return self.package.pass_for(f)


def _compute(analyzer: Analyzer, cache: dict[Analyzer, Any], pass_: Any) -> Any:
    if analyzer in cache:
        return cache[analyzer]
    if analyzer.package_level:
        with package_work(f"package analysis {analyzer.name!r}"):
            return _compute_now(analyzer, cache, pass_)
    return _compute_now(analyzer, cache, pass_)


def _compute_now(analyzer: Analyzer, cache: dict[Analyzer, Any], pass_: Any) -> Any:
    for req in analyzer.requires:
        # A package-level analyzer gets file-level results per file (package.pass_for(f)).
        if req.package_level or not analyzer.package_level:
            pass_.result_of(req)
    result = analyzer.run(pass_)
    cache[analyzer] = result
    return result
