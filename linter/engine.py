"""The engine: read, prefilter, parse, and run every rule on every file, one package at a time.

Files are grouped by directory so package-level analyses (call graph, package variables) are
computed once per package and shared. Groups are spread over `jobs` worker processes; results
are sorted, so output does not depend on the job count. Nothing a file contains can stop the
run: read errors, binary files and internal errors become `FileError`s.
"""

from __future__ import annotations

import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from linter.analysis.framework import Package
from linter.budget import Budget, BudgetExceeded, Scope, current_scope, file_scope, running
from linter.checks.base import Check
from linter.discovery import discover
from linter.goversion import GoVersion, go_mod_version
from linter.model import FileError, Finding, Rule
from linter.parsing import SourceFile, is_generated, is_never_built, package_name
from linter.patterns import AnchorKey, CandidateIndex, candidates_around
from linter.prefilter import candidate_needles, declaration_ranges, may_match
from linter.suppress import ALL, Suppression, is_suppressed, suppressions

MAX_FILE_BYTES = 10_000_000
SMALL_RUN = 24  # files; below this, one process is faster than a pool
_MSG_VAR = re.compile(r"\$([A-Z_][A-Z0-9_]*)")


class Cancelled(Exception):
    """Raised by check_group when its `cancelled` callback asks it to stop."""


@dataclass
class Stats:
    files: int = 0
    parsed: int = 0
    skipped_generated: int = 0
    lines: int = 0
    seconds: float = 0.0

    def merge(self, other: Stats) -> None:
        self.files += other.files
        self.parsed += other.parsed
        self.skipped_generated += other.skipped_generated
        self.lines += other.lines


@dataclass
class Result:
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    suppressed: int = 0
    unused_ignores: list[tuple[str, int, str]] = field(default_factory=list)
    baselined: int = 0
    stale_baseline: int = 0
    cache_hits: int = 0
    fixed: int | None = None  # findings fixed by `check --fix` (None: not a --fix run)


@dataclass
class Options:
    rule_dirs: list[str] = field(default_factory=list)
    select: set[str] | None = None
    ignore: set[str] = field(default_factory=set)
    go_version: GoVersion | None = None
    jobs: int = 1
    builtin_rules: bool = True
    config: Any = None  # linter.config.Config | None
    cache_dir: str | None = None  # None: no cache
    timeout_per_file: float = 10.0  # CPU seconds per file (and per file of a package, for package work); 0 disables
    hints: bool = False  # rules' opt-in info hints (`go-version.hint`), e.g. timer churn on Go >= 1.23
    # Files named on the command line in vendor/, testdata/ or node_modules/, generated or
    # `//go:build ignore` are skipped (with a note) like in a walk; False checks them.
    default_excludes: bool = True


def _interpolate(message: str, env: dict[str, object], vars_: dict[str, str], f: SourceFile) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in vars_:
            return vars_[name]
        v = env.get(name) if name != "MATCH" else env.get("\0match")
        if isinstance(v, tuple):
            text = ", ".join(" ".join(f.text(n).split()) for n in v)
        elif v is not None:
            text = " ".join(f.text(v).split())  # type: ignore[arg-type]
        else:
            return m.group(0)
        return text if len(text) <= 60 else text[:57] + "..."

    return _MSG_VAR.sub(sub, message)


def run_rules_on_file(
    rules: list[Rule],
    pass_: object,
    f: SourceFile,
    errors: list[FileError],
    result: Result | None = None,
    active: list[Rule] | None = None,
) -> list[Finding]:
    from linter.analysis.framework import Pass

    assert isinstance(pass_, Pass)
    out: list[Finding] = []
    """Run the rules on one parsed file. `active` is the subset the prefilter let through (the
    caller decided it while reading the file); suppressions are judged against all `rules`."""
    ids = {r.id for r in rules}
    supp = suppressions(f.data, ids)
    if active is None:
        active = [r for r in rules if r.applies_to(f.path) and may_match(r, f.data)]
    indexed = [r for r in active if candidate_needles(r) is None]  # the others are found from the text
    index = CandidateIndex(f.root, _anchor_keys(indexed), f.data, f.ranges) if indexed else None
    for rule in active:
        try:
            out.extend(_run_rule(rule, pass_, f, supp, index, errors))
        except RecursionError:
            errors.append(FileError(f.path, f"rule {rule.id}: nesting too deep, rule skipped for this file", "internal"))
        except BudgetExceeded:
            scope = current_scope()
            if scope is None or scope.file.exhausted or scope.package is None or not scope.package.exhausted:
                raise  # the file's own budget: the caller reports the file
            errors.append(FileError(f.path, f"rule {rule.id}: skipped for this file: {_package_over_budget(scope)}", "timeout"))
            scope.lost = ""
        except Exception as e:  # noqa: BLE001 - one rule's bug must not lose other results
            import traceback

            tb = traceback.extract_tb(e.__traceback__)[-1]
            errors.append(
                FileError(
                    f.path,
                    f"internal error in rule {rule.id}: {type(e).__name__}: {e} ({os.path.basename(tb.filename)}:{tb.lineno})",
                    "internal",
                )
            )
    if result is not None:
        _account_suppressions(f.path, supp, ids, result)
    return out


_ANCHORS: dict[tuple[int, ...], tuple[tuple[object, ...], frozenset[AnchorKey]]] = {}


def _anchor_keys(rules: list[Rule]) -> frozenset[AnchorKey]:
    """The candidate anchors of a set of rules (memoized: the same few sets recur per file; the
    entry holds the matchers, so their ids cannot be reused while it exists)."""
    key = tuple(id(r.matcher) for r in rules)
    got = _ANCHORS.get(key)
    if got is None:
        got = _ANCHORS[key] = (tuple(r.matcher for r in rules), frozenset().union(*(r.matcher.anchor_keys() for r in rules)))
    return got[1]


def _account_suppressions(path: str, supp: dict[int, Suppression], ids: set[str], res: Result) -> None:
    """Count what the suppression comments hid, and list ours that hid nothing."""
    for s in supp.values():
        res.suppressed += len(s.used)
        if s.ours and not s.used and (ALL in s.ids or s.ids & ids):
            res.unused_ignores.append((path, s.line, s.text))


def _run_rule(
    rule: Rule,
    pass_: object,
    f: SourceFile,
    supp: dict[int, Suppression],
    index: CandidateIndex | None = None,
    errors: list[FileError] | None = None,
) -> list[Finding]:
    out = []
    done: set[tuple[int, int]] = set()
    version = getattr(pass_, "go_version", None)
    quick = [c for c in rule.checks if type(c).quick_reject is not Check.quick_reject]
    needles = candidate_needles(rule)
    if needles is not None:
        candidates = candidates_around(f.root, f.data, f.ranges or [(0, len(f.data))], *needles)
    else:
        candidates = rule.matcher.candidates(f.root, index)
    for cand in candidates:
        key = (cand.start_byte, cand.end_byte)
        if key in done:
            continue
        if any(c.quick_reject(cand, pass_) for c in quick):
            continue
        env = rule.matcher.match(cand, {}, pass_)
        if env is None:
            continue
        severity, vars_, node = rule.severity, {}, cand
        facts: dict[str, object] = {}
        for check in rule.checks:
            verdict = check.run(cand, env, pass_)
            if verdict is None:
                break
            vars_.update(verdict.vars)
            facts.update(verdict.facts)
            severity = verdict.severity or severity
            node = verdict.node or node
        else:
            message = rule.message
            cond = rule.go_version
            if cond is not None and not cond.applies(version):
                if cond.otherwise == "ignore":
                    continue
                severity = "info"
                if cond.otherwise_message:
                    message = cond.otherwise_message
            env = {**env, "\0match": cand}
            done.add(key)
            line = node.start_point[0] + 1
            if is_suppressed(supp, rule.id, line):
                continue
            fix = None
            if rule.fix is not None:
                from linter.fix.propose import propose

                fix = propose(rule, pass_, f, node, cand, env, facts, errors)
            out.append(
                Finding(
                    path=f.path,
                    line=line,
                    column=f.column(node.start_byte),
                    end_line=node.end_point[0] + 1,
                    end_column=f.column(node.end_byte),
                    rule_id=rule.id,
                    severity=severity,
                    message=_interpolate(message, env, vars_, f),
                    snippet=" ".join(f.text(node).split())[:500],
                    stmt_lines=_statement_lines(node),
                    fix=fix,
                )
            )
    return out


def _statement_lines(node: object) -> tuple[int, int]:
    n = node
    while n is not None and n.parent is not None and n.parent.type not in ("statement_list", "block", "source_file"):  # type: ignore[attr-defined]
        n = n.parent  # type: ignore[attr-defined]
    target = n or node
    return (target.start_point[0] + 1, target.end_point[0] + 1)  # type: ignore[attr-defined]


def _read(path: str, errors: list[FileError]) -> bytes | None:
    """The file's bytes, or None with a note. Opened without blocking and checked on the open
    descriptor: a file replaced by a FIFO or a device since it was listed is refused, not read
    (an open() of a FIFO would wait for a writer forever)."""
    from linter.safeio import ReadError, read_bounded

    try:
        data = read_bounded(path, MAX_FILE_BYTES, "file")
    except ReadError as e:
        if e.reason == "is a directory":
            errors.append(FileError(path, "is a directory", "unreadable"))
        elif e.reason == "not a regular file":
            errors.append(FileError(path, "skipped: not a regular file", "not-regular"))
        elif e.reason.startswith("file is"):
            errors.append(FileError(path, f"skipped: {e.reason}", "too-large"))
        else:
            errors.append(FileError(path, f"cannot read: {e.reason}", "unreadable"))
        return None
    return _vetted(path, data, errors)


def _vetted(path: str, data: bytes, errors: list[FileError]) -> bytes | None:
    """The bytes of a file read (or given on stdin), or None when they are no Go source to check."""
    if len(data) > MAX_FILE_BYTES:
        errors.append(FileError(path, f"skipped: file is {len(data)} bytes or more (limit {MAX_FILE_BYTES})", "too-large"))
        return None
    if b"\0" in data:
        errors.append(FileError(path, "skipped: binary file (contains NUL bytes)", "binary"))
        return None
    return data


def _file_over_budget(timeout: float) -> str:
    return f"skipped: checking took more than {timeout:g}s of CPU time (--timeout-per-file)"


def _package_over_budget(scope: Scope) -> str:
    pkg = scope.package
    assert pkg is not None
    return f"{scope.lost or 'package-level analysis'} of {pkg.label} took more than {pkg.limit:g}s of CPU time (--timeout-per-file, per file of the package)"


def _package_budget(pkg: Package, timeout: float) -> Budget:
    """Package-level work gets `timeout` CPU seconds per file of the package (the engine's files
    and the siblings it reads), sized when that work first starts."""
    name = f"package {pkg.name}" if pkg.name else "package"
    budget = Budget(-1.0 if timeout > 0 else 0.0, f"{name} in {pkg.directory or '.'}/")
    if timeout > 0:
        budget.size = lambda: timeout * max(1, len(pkg.entries()))
    return budget


def check_group(
    rules: list[Rule],
    paths: list[str],
    explicit: set[str],
    go_override: GoVersion | None,
    timeout: float = 10.0,
    force: bool = False,
    contents: dict[str, bytes] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Result:
    """Check the files of one directory (one or more Go packages). `explicit`: the files named
    on the command line; a generated one is skipped with a note, or checked with `force`. Each
    file has a budget of `timeout` CPU seconds for everything done for it alone (prefilter,
    parse, rules); package-level work has its package's budget (see linter.budget).
    `contents` gives the bytes of paths not to be read from disk (stdin under a stand-in name,
    an editor's unsaved buffers): those of the directory stand in for the files on disk for the
    package-level analyses too, checked or not. `cancelled` is asked before each file: when it
    says so, `Cancelled` is raised (an editor dropping a check whose text is out of date)."""
    res = Result()
    started = time.perf_counter()
    packages: dict[str | None, Package] = {}
    package_budgets: dict[int, Budget] = {}
    todo: list[tuple[SourceFile, Package, list[Rule], Budget]] = []
    directory = os.path.dirname(paths[0]) if paths else "."
    version = go_override or go_mod_version(directory or ".")
    preread: dict[str, bytes] = {}  # shared by the directory's packages: siblings are not read twice
    here = os.path.abspath(directory or ".")
    for other, given in (contents or {}).items():
        if os.path.dirname(os.path.abspath(other)) == here and b"\0" not in given and len(given) <= MAX_FILE_BYTES:
            preread[os.path.abspath(other)] = given
    for path in paths:
        if cancelled is not None and cancelled():
            raise Cancelled
        res.stats.files += 1
        data = _vetted(path, contents[path], res.errors) if contents and path in contents else _read(path, res.errors)
        if data is None:
            continue
        preread[os.path.abspath(path)] = data
        if (is_generated(data) or is_never_built(data)) and not (force and path in explicit):
            res.stats.skipped_generated += 1
            if path in explicit:
                what = "generated file" if is_generated(data) else "file excluded from builds (//go:build ignore)"
                res.errors.append(FileError(path, f"skipped: {what} (--no-default-excludes checks it)", "excluded"))
            continue
        res.stats.lines += data.count(b"\n")
        budget = Budget(timeout)
        try:
            with running(budget):
                prepared = _prepare(path, data, rules, res)
        except BudgetExceeded:
            res.errors.append(FileError(path, _file_over_budget(timeout), "timeout"))
            continue
        if prepared is None:
            continue
        f, active = prepared
        name = package_name(data)
        pkg = packages.get(name)
        if pkg is None:
            pkg = Package(directory, name, go_version=version, preread=preread)
            packages[name] = pkg
            package_budgets[id(pkg)] = _package_budget(pkg, timeout)
        res.stats.parsed += 1
        if not f.partial:  # a package-wide analysis must see whole files: it parses its own copy
            pkg.files.append(f)
        todo.append((f, pkg, active, budget))
    for f, pkg, active, budget in todo:
        if cancelled is not None and cancelled():
            raise Cancelled
        try:
            with file_scope(Scope(budget, package_budgets[id(pkg)])), running(budget):
                found = run_rules_on_file(rules, pkg.pass_for(f), f, res.errors, res, active)
            res.findings.extend(found)
        except BudgetExceeded:
            res.errors.append(FileError(f.path, _file_over_budget(timeout), "timeout"))
    res.stats.seconds = time.perf_counter() - started
    return res


def _prepare(path: str, data: bytes, rules: list[Rule], res: Result) -> tuple[SourceFile, list[Rule]] | None:
    """Prefilter and parse one file (inside its budget): None when no rule can match it."""
    applies: dict[str, bool] = {}  # rules with the same `paths` (usually all) decide once
    active = [r for r in rules if _applies(r, path, applies) and may_match(r, data)]
    if not active:
        _unused_in_skipped(path, data, rules, res)
        return None
    ranges = declaration_ranges(data, active)
    if ranges == []:  # no declaration of the file can match
        _unused_in_skipped(path, data, rules, res)
        return None
    f = SourceFile.parse(path, data, ranges)
    if f.has_syntax_errors:
        line = _first_error_line(f)
        res.errors.append(FileError(path, f"syntax error near line {line}; checked as far as the parser recovered", "syntax"))
    return f, active


def _applies(rule: Rule, path: str, memo: dict[str, bool]) -> bool:
    key = repr(rule.metadata.get("paths"))
    got = memo.get(key)
    if got is None:
        got = memo[key] = rule.applies_to(path)
    return got


def _unused_in_skipped(path: str, data: bytes, rules: list[Rule], res: Result) -> None:
    """A file no rule can match still has suppression comments: they suppress nothing."""
    ids = {r.id for r in rules}
    _account_suppressions(path, suppressions(data, ids), ids, res)


def _first_error_line(f: SourceFile) -> int:
    """The line of the first ERROR or MISSING node, found in one pass over the erroneous part of
    the tree: tree-sitter marks every ancestor of an error (`has_error`), so the walk descends
    only into marked children and stops at the first error in document order. Each node is
    looked at once at most (a `(ERROR)` query was quadratic in the nesting depth: 1 MB of `{`
    took 18 minutes). A marked node without a marked child holds an error tree-sitter made no
    node for (a skipped separator): its line is the answer if no later node is an error."""
    cursor = f.root.walk()
    fallback: int | None = None
    while True:
        node = cursor.node
        assert node is not None
        if node.is_error or node.is_missing:
            return node.start_point[0] + 1
        if cursor.goto_first_child():
            if _next_erroneous(cursor):
                continue
            cursor.goto_parent()
        if fallback is None:
            fallback = node.start_point[0] + 1
        while not (cursor.goto_next_sibling() and _next_erroneous(cursor)):  # on to the next marked node
            if not cursor.goto_parent():
                return fallback


def _next_erroneous(cursor: Any) -> bool:
    """Move the cursor right to the first sibling (itself included) with an error in it."""
    while True:
        n = cursor.node
        if n is not None and (n.has_error or n.is_missing):
            return True
        if not cursor.goto_next_sibling():
            return False


# -- driving many groups, possibly in parallel ----------------------------------------------------

_WORKER_RULES: list[Rule] = []
_PARENT_RULES: list[Rule] | None = None  # set while a pool starts: a forked worker inherits them


def _init_worker(options: Options) -> None:
    global _WORKER_RULES
    # Forked (Linux): the parent's rules are already in memory. Spawned (macOS, Windows): a
    # fresh interpreter loads the same rules from the same options.
    _WORKER_RULES = _PARENT_RULES if _PARENT_RULES is not None else prepare_rules(options)


def prepare_rules(options: Options) -> list[Rule]:
    """Load rule files, apply the config (parameters, severities) and the selection. Workers
    call this too, so every process runs exactly the same rules."""
    return select_rules(configured_rules(options), options)


def select_rules(rules: list[Rule], options: Options) -> list[Rule]:
    """--select/--ignore, else the config's rules.enable/disable."""
    cfg = options.config
    select = options.select
    if select is None and cfg is not None and cfg.enable is not None:
        select = set(cfg.enable)
    ignore = set(options.ignore) | set(cfg.disable if cfg else [])
    return filter_rules(rules, select, ignore)


def configured_rules(options: Options) -> list[Rule]:
    """Every rule, with the config's parameters and severities applied."""
    from linter.config import ConfigError, line_of, merge_params
    from linter.loader import load_rules

    cfg = options.config
    dirs = [*(cfg.rule_dirs if cfg else []), *options.rule_dirs]
    rules = load_rules(dirs, include_bundled=options.builtin_rules)
    if options.hints or (cfg is not None and cfg.hints):
        for r in rules:
            if r.go_version is not None:
                r.go_version = r.go_version.with_hints()
    by_id = {r.id: r for r in rules}
    if cfg is not None:
        from linter.checks import CHECKS, CheckConfigError

        for rid, checks in cfg.parameters.items():
            rule = by_id.get(rid)
            if rule is None:
                raise ConfigError(cfg.display, line_of(cfg, ["parameters", rid]), f"parameters for unknown rule {rid!r}")
            for name, params in checks.items():
                if name not in rule.check_params:
                    raise ConfigError(cfg.display, line_of(cfg, ["parameters", rid, name]), f"rule {rid} has no check {name!r}")
                merged = merge_params(rule.check_params[name], params)
                try:
                    new = CHECKS[name].configure(merged, rule.bound, rule.utils)
                except CheckConfigError as e:
                    raise ConfigError(cfg.display, line_of(cfg, ["parameters", rid, name]), f"{rid}.{name}: {e.message}") from None
                rule.checks = [new if c.name == name else c for c in rule.checks]
                rule.prefilter_cache = rule.declaration_cache = rule.candidate_cache = None
                rule.check_params[name] = merged
        for rid, sev in cfg.severity.items():
            if rid not in by_id:
                raise ConfigError(cfg.display, line_of(cfg, ["severity", rid]), f"severity for unknown rule {rid!r}")
            by_id[rid].severity = sev
        for key, ids in (("enable", cfg.enable or []), ("disable", cfg.disable)):
            for rid in ids:
                if rid not in by_id:
                    raise ConfigError(cfg.display, line_of(cfg, ["rules", key]), f"rules.{key}: unknown rule {rid!r}")
    return rules


def _worker(args: tuple[list[str], set[str], GoVersion | None, str | None, str, float, bool, dict[str, bytes] | None]) -> Result:
    paths, explicit, go, cache_dir, ruleset, timeout, force, contents = args
    if contents:  # bytes not on disk (`check --fix` checking its fixed files again): never cached
        return check_group(_WORKER_RULES, paths, explicit, go, timeout, force, contents)
    return cached_check_group(_WORKER_RULES, paths, explicit, go, cache_dir, ruleset, timeout, force)


def cached_check_group(
    rules: list[Rule],
    paths: list[str],
    explicit: set[str],
    go_override: GoVersion | None,
    cache_dir: str | None,
    ruleset: str,
    timeout: float = 10.0,
    force: bool = False,
) -> Result:
    """check_group, answered from the cache when nothing in the directory changed."""
    from linter import cache

    if not cache_dir or not paths:
        return check_group(rules, paths, explicit, go_override, timeout, force)
    key = cache.group_key(paths, os.path.dirname(paths[0]), ruleset, go_override, explicit)
    if key is not None:
        doc = cache.load_valid(cache_dir, key)
        st = doc.get("stats", {}) if doc is not None else {}
        if doc is not None and "parsed" in st:  # (an entry from before `parsed` was kept: computed again)
            res = Result()
            res.findings, res.errors = cache.findings_from_doc(doc)
            # the stats of the run that computed the entry: a warm run reports what a cold one does
            res.stats = Stats(
                files=st.get("files", 0),
                parsed=st.get("parsed", 0),
                skipped_generated=st.get("skipped_generated", 0),
                lines=st.get("lines", 0),
            )
            res.unused_ignores = [tuple(u) for u in doc.get("unused", [])]  # type: ignore[misc]
            res.suppressed = doc.get("suppressed", 0)
            res.cache_hits = 1
            return res
    with cache.recording() as deps:  # other packages of the module the checks read
        res = check_group(rules, paths, explicit, go_override, timeout, force)
    digests = cache.dependency_digests(deps)
    if key is not None and digests is not None and not any(e.kind == "timeout" for e in res.errors):
        stats = {
            "files": res.stats.files,
            "parsed": res.stats.parsed,
            "skipped_generated": res.stats.skipped_generated,
            "lines": res.stats.lines,
        }
        doc = cache.findings_to_doc(res.findings, res.errors, stats, res.unused_ignores, res.suppressed)
        cache.store(cache_dir, key, {**doc, "deps": digests} if digests else doc)
    return res


def filter_rules(rules: list[Rule], select: set[str] | None, ignore: set[str]) -> list[Rule]:
    return [r for r in rules if (select is None or r.id in select) and r.id not in ignore]


def group_by_directory(files: Iterable[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for f in files:
        groups[os.path.dirname(f)].append(f)
    return [sorted(v) for _, v in sorted(groups.items())]


def ruleset_key(rules: list[Rule], options: Options, force: bool) -> str:
    """What the result cache keys the rules and the choices that change results by."""
    from linter.cache import ruleset_digest

    # "byte-columns": entries written while columns were code points are not reused;
    # "fixes": nor entries from before findings carried their fixes
    return ruleset_digest(rules, repr((sorted(options.select or []), sorted(options.ignore), "byte-columns", "fixes", force)))


def check_paths(paths: list[str], rules: list[Rule], options: Options, contents: dict[str, bytes] | None = None) -> Result:
    """Check files and directories. `contents` maps stand-in paths to their bytes (stdin): those
    are checked as if they were named files on disk at that path (config, go.mod, package
    siblings, default skips), neither read nor cached."""
    started = time.perf_counter()
    result = Result()
    given = contents or {}
    files = [*given, *discover([p for p in paths if p not in given], result.errors)]
    explicit = {p for p in paths if p in given or os.path.isfile(p)}
    if explicit and options.default_excludes:  # named files get the walk's directory skips too
        from linter.discovery import excluded_dir_of

        dropped = set()
        for f in sorted(explicit):
            skip = excluded_dir_of(f)
            if skip is not None:
                result.errors.append(FileError(f, f"skipped: in a {skip}/ directory (--no-default-excludes checks it)", "excluded"))
                dropped.add(f)
        if dropped:
            explicit -= dropped
            files = [f for f in files if f not in dropped]
    if options.config is not None:
        kept = []
        for f in files:
            glob = options.config.exclusion(f)
            if glob is None:
                kept.append(f)
            elif f in explicit:  # named, so say why it is not checked
                result.errors.append(
                    FileError(f, f"skipped: excluded by {options.config.display or 'the config'} (exclude: {glob!r})", "excluded")
                )
        files = kept
    force = not options.default_excludes
    groups = group_by_directory(files)
    ruleset = ruleset_key(rules, options, force) if options.cache_dir else ""
    # Starting worker processes costs more than checking a handful of files (pre-commit).
    if contents and not (options.jobs > 1 and len(groups) > 1 and len(files) >= SMALL_RUN):
        parts = [check_group(rules, g, explicit, options.go_version, options.timeout_per_file, force, contents) for g in groups]
    elif options.jobs > 1 and len(groups) > 1 and len(files) >= SMALL_RUN:
        # Biggest groups first so the last worker is not left with one huge package. Counted in
        # files: sizes would cost a stat per file before any worker starts, for the same order.
        groups.sort(key=lambda g: -len(g))
        from concurrent.futures import ProcessPoolExecutor

        global _PARENT_RULES
        _PARENT_RULES = rules
        from linter.interrupt import sigint_blocked, stop_pool, worker_initializer

        try:
            with ProcessPoolExecutor(
                max_workers=options.jobs,
                initializer=worker_initializer,
                initargs=(_init_worker, options),
            ) as ex:
                with sigint_blocked():  # workers start here: Ctrl-C is the parent's alone
                    futures = [
                        ex.submit(
                            _worker,
                            (
                                g,
                                explicit,
                                options.go_version,
                                options.cache_dir,
                                ruleset,
                                options.timeout_per_file,
                                force,
                                {p: contents[p] for p in g if p in contents} if contents else None,
                            ),
                        )
                        for g in groups
                    ]
                try:
                    parts = [f.result() for f in futures]
                except BaseException:  # Ctrl-C (or a worker's failure): do not wait for the rest
                    stop_pool(ex)
                    raise
        finally:
            _PARENT_RULES = None
    else:
        parts = [
            cached_check_group(rules, g, explicit, options.go_version, options.cache_dir, ruleset, options.timeout_per_file, force)
            for g in groups
        ]
    for part in parts:
        result.findings.extend(part.findings)
        result.errors.extend(part.errors)
        result.stats.merge(part.stats)
        result.suppressed += part.suppressed
        result.unused_ignores.extend(part.unused_ignores)
        result.cache_hits += part.cache_hits
    result.unused_ignores.sort()
    result.findings = assign_fingerprints(sorted(set(result.findings), key=_finding_order))
    result.errors = sorted(set(result.errors))
    result.stats.seconds = time.perf_counter() - started
    return result


def assign_fingerprints(findings: list[Finding]) -> list[Finding]:
    """rule id + path + normalised code + occurrence index: stable when lines move or
    whitespace changes, distinct for two identical statements in one file."""
    import dataclasses
    import hashlib

    seen: dict[tuple[bytes, bytes, bytes], int] = defaultdict(int)
    out = []
    for f in findings:
        code = "".join(f.snippet.split())
        # The path's raw bytes: a name that is not valid UTF-8 (`bad\xff.go`) still has one.
        key = (f.rule_id.encode(), os.fsencode(f.path).replace(os.sep.encode(), b"/"), code.encode("utf-8", "surrogateescape"))
        index = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(b"\0".join((*key, str(index).encode()))).hexdigest()[:32]
        out.append(dataclasses.replace(f, fingerprint=digest))
    return out


def _finding_order(f: Finding) -> tuple[str, int, int, str, str, int, int, str]:
    # every field a Finding compares on: findings come out of a set, so a tie would be ordered
    # by hash (and the occurrence index of the fingerprint with it)
    return (f.path, f.line, f.column, f.rule_id, f.message, f.end_line, f.end_column, f.severity)


__all__ = ["Options", "Result", "check_paths", "check_group"]
