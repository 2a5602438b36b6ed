"""The language server's checks, without the protocol: which rules apply to a directory (its
`.goplumber.yaml`, re-read when it changes), and one directory's files checked with the
editor's unsaved buffers standing in for the files on disk.

Rules stay loaded between checks (one set per config file, rebuilt when the config or a rule
file changes: a stat per check); checks never touch the result cache, except for directories of
the workspace scan that have no open buffer (the same entries `goplumber check` writes)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from linter.config import Config, ConfigError, find_config, load_config
from linter.discovery import SKIP_DIRS
from linter.engine import (
    Cancelled,
    Options,
    assign_fingerprints,
    cached_check_group,
    check_group,
    configured_rules,
    ruleset_key,
    select_rules,
)
from linter.loader import RULE_SUFFIXES, RuleFileError
from linter.lsp.positions import Text
from linter.lsp.settings import Settings
from linter.model import FileError, Finding, Rule
from linter.safeio import read_bounded

__all__ = ["Cancelled", "Checker", "FileOutcome", "PackageOutcome", "RuleSet"]

MAX_TEXT_BYTES = 10_000_000


@dataclass
class RuleSet:
    """The rules for the files under one config file (or none), or why there are none."""

    config: Config | None
    config_path: str | None
    options: Options
    rules: list[Rule]
    error: str | None = None  # a broken config or rule file: `path:line: what`
    error_path: str | None = None
    error_line: int | None = None
    warnings: list[str] = field(default_factory=list)  # unknown ids in select/ignore...
    key: str = ""  # the result cache's key for these rules

    @property
    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}


@dataclass
class FileOutcome:
    path: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    text: Text | None = None  # the bytes the positions are in (None: the file could not be read)
    skipped: str | None = None  # why the file is not checked at all (vendor/, config exclude)


@dataclass
class PackageOutcome:
    directory: str
    ruleset: RuleSet
    files: dict[str, FileOutcome]
    depends_on: set[str] = field(default_factory=set)  # other directories whose files the results read
    from_cache: bool = False


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _rule_files(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for here, dirs, files in os.walk(p):
                dirs.sort()
                out.extend(os.path.join(here, f) for f in sorted(files) if f.endswith(RULE_SUFFIXES))
        else:
            out.append(p)
    return out


class Checker:
    def __init__(self, settings: Settings | None = None, roots: list[str] | None = None) -> None:
        self.settings = settings or Settings()
        self.roots = [os.path.abspath(r) for r in roots or []]
        self._rulesets: dict[str | None, tuple[Any, RuleSet]] = {}

    def update(self, settings: Settings) -> None:
        self.settings = settings
        self._rulesets.clear()

    def forget_rules(self) -> None:
        """Rules are built again on next use (a rule or config file changed)."""
        self._rulesets.clear()

    def is_rule_file(self, path: str) -> bool:
        """Whether `path` is (or could be, in a directory of them) a rule file in use."""
        ab = os.path.abspath(path)
        known = [os.path.abspath(d) for d in self.settings.rule_dirs]
        for _, rs in list(self._rulesets.values()):
            if rs.config is not None:
                known.extend(os.path.dirname(os.path.abspath(f)) for f in rs.config.rule_dirs)
                known.extend(os.path.abspath(f) for f in rs.config.rule_dirs)
            known.extend(os.path.abspath(r.source) for r in rs.rules if r.source)
        return any(ab == k or ab.startswith(k.rstrip(os.sep) + os.sep) for k in known)

    # -- rules ----------------------------------------------------------------------------------

    def config_path(self, directory: str) -> str | None:
        s = self.settings
        if s.no_config:
            return None
        if s.config:
            return s.config
        return find_config(directory)

    def ruleset_for(self, directory: str) -> RuleSet:
        """The rules for files in `directory`, built again when the config file or a rule file
        changed since (compared by modification time and size)."""
        try:
            path = self.config_path(directory)
        except ConfigError as e:
            return self._broken(None, str(e), e.path, e.line)
        cached = self._rulesets.get(path)
        if cached is not None and cached[0] == self._signature(path, cached[1]):
            return cached[1]
        ruleset = self._build(path)
        self._rulesets[path] = (self._signature(path, ruleset), ruleset)
        return ruleset

    def _signature(self, path: str | None, ruleset: RuleSet) -> tuple[Any, ...]:
        files = _rule_files([*self.settings.rule_dirs, *(ruleset.config.rule_dirs if ruleset.config else [])])
        return (_stat(path) if path else None, tuple((f, _stat(f)) for f in files))

    def _options(self, cfg: Config | None) -> Options:
        from linter.cache import default_dir
        from linter.goversion import parse_version

        s = self.settings
        go_version = s.go_version
        if go_version is None and cfg is not None and cfg.go_version:
            go_version = parse_version(cfg.go_version)  # validated when the config was read
        return Options(
            rule_dirs=list(s.rule_dirs),
            select=set(s.select) if s.select is not None else None,
            ignore=set(s.ignore),
            go_version=go_version,
            jobs=1,
            builtin_rules=s.builtin_rules,
            config=cfg,
            cache_dir=(s.cache_dir or default_dir()) if s.cache else None,
            timeout_per_file=s.timeout_per_file,
            hints=s.hints,
        )

    def _broken(self, path: str | None, message: str, where: str | None, line: int | None) -> RuleSet:
        return RuleSet(None, path, Options(jobs=1), [], error=message, error_path=where, error_line=line)

    def _build(self, path: str | None) -> RuleSet:
        try:
            cfg = load_config(path) if path else None
            options = self._options(cfg)
            every = configured_rules(options)
        except ConfigError as e:
            return self._broken(path, str(e), path, e.line)
        except RuleFileError as e:
            return self._broken(path, str(e), e.path, e.line)
        known = {r.id for r in every}
        warnings = [f"unknown rule id {rid!r} in select/ignore" for rid in sorted(((options.select or set()) | options.ignore) - known)]
        rules = select_rules(every, options)
        key = ruleset_key(rules, options, False) if options.cache_dir else ""
        return RuleSet(cfg, path, options, rules, warnings=warnings, key=key)

    # -- files ----------------------------------------------------------------------------------

    def skipped(self, path: str, ruleset: RuleSet) -> str | None:
        """Why `path` is not checked, as `goplumber check PATH` would skip it: in a vendor/,
        testdata/ or node_modules/ directory (of the workspace folder, else of its module or
        repository), or excluded by the config."""
        from linter.roots import module_root, repository_root

        ab = os.path.abspath(path)
        base = next((r for r in self.roots if ab.startswith(r.rstrip(os.sep) + os.sep)), None)
        if base is None:
            directory = os.path.dirname(ab)
            base = repository_root(directory) or module_root(directory) or directory
        parts = os.path.relpath(ab, base).split(os.sep)[:-1]
        skip = next((p for p in parts if p in SKIP_DIRS), None)
        if skip is not None:
            return f"in a {skip}/ directory"
        if ruleset.config is not None:
            glob = ruleset.config.exclusion(ab)
            if glob is not None:
                return f"excluded by {ruleset.config.display or 'the config'} (exclude: {glob!r})"
        return None

    def check_package(
        self,
        directory: str,
        targets: list[str],
        buffers: dict[str, bytes],
        cancelled: Any = None,
        use_cache: bool = False,
    ) -> PackageOutcome:
        """Check `targets` (absolute paths of one directory). `buffers`: the unsaved text of the
        directory's open files, which the checks see instead of the files on disk (siblings
        that are not targets included). With `use_cache` and no buffer in the directory, the
        result cache answers when nothing changed. Raises Cancelled when `cancelled()` says so."""
        from linter import cache

        ruleset = self.ruleset_for(directory)
        files = {p: FileOutcome(p) for p in targets}
        if ruleset.error is not None:
            return PackageOutcome(directory, ruleset, files)
        checked = []
        for p in sorted(targets):
            why = self.skipped(p, ruleset)
            if why is not None:
                files[p].skipped = why
            else:
                checked.append(p)
        mine = {p: d for p, d in buffers.items() if os.path.dirname(p) == directory}
        outcome = PackageOutcome(directory, ruleset, files)
        if not checked:
            return outcome
        opts = ruleset.options
        if use_cache and opts.cache_dir and not mine:
            res = cached_check_group(ruleset.rules, checked, set(), opts.go_version, opts.cache_dir, ruleset.key, opts.timeout_per_file)
            outcome.from_cache = res.cache_hits > 0
        else:
            with cache.recording() as deps:
                res = check_group(ruleset.rules, checked, set(), opts.go_version, opts.timeout_per_file, False, mine, cancelled)
            outcome.depends_on = {d for d in deps if d != os.path.abspath(directory)}
        for f in assign_fingerprints(sorted(set(res.findings))):
            files[f.path].findings.append(f)
        for e in sorted(set(res.errors)):
            if e.path in files:
                files[e.path].errors.append(e)
        for p in checked:
            fo = files[p]
            if p in mine:
                fo.text = Text(mine[p])
            elif fo.findings:
                try:
                    fo.text = Text(read_bounded(p, MAX_TEXT_BYTES, "file"))
                except OSError:
                    fo.text = None
        return outcome
