"""`goplumber test`: run the rules on annotated Go fixtures, like semgrep's `--test` and
analysistest. `// ruleid: <id>[, <id>]` marks the next code line as an expected finding; `// ok:
<id>` marks a tricky line that must stay clean. Any finding not on a `ruleid` line is unexpected.

Fixes, semgrep's convention: next to `x.go`, `x.go.fixed` holds the file as `check --fix` must
leave it. The fixture fails when the fixed output differs (the report shows a diff) or when no
fix is offered for a file whose `.fixed` expects changes; a `.fixed` identical to its source
says that no fix may change the file (the "no fix offered" cases). Files without one are not
fix-checked."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from linter.engine import Options, Result, check_paths
from linter.model import Finding, Rule

_ANNOT = re.compile(r"//\s*(ruleid|ok|todoruleid)\s*:\s*([\w,\s-]+?)\s*$")


@dataclass
class FixtureReport:
    expected: int = 0
    ok_marks: int = 0
    matched: int = 0
    missing: list[tuple[str, int, str]] = field(default_factory=list)
    unexpected: list[Finding] = field(default_factory=list)
    result: Result | None = None
    per_rule: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # [pos, neg]
    fixed_files: int = 0  # files checked against their .fixed
    fix_failures: list[tuple[str, str]] = field(default_factory=list)  # (path, what went wrong, a diff included)

    @property
    def passed(self) -> bool:
        return not self.missing and not self.unexpected and not (self.result and self.result.errors) and not self.fix_failures


def read_annotations(path: str) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """(expected, ok): line -> rule ids, the line being the next non-annotation line."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().split("\n")
    expected: dict[int, set[str]] = defaultdict(set)
    ok: dict[int, set[str]] = defaultdict(set)
    pending: list[tuple[str, set[str]]] = []
    for i, line in enumerate(lines, start=1):
        m = _ANNOT.search(line)
        stripped = line.strip()
        if m and stripped.startswith("//"):
            ids = {x.strip() for x in m.group(2).split(",") if x.strip()}
            pending.append((m.group(1), ids))
            continue
        if m:  # annotation at the end of a code line marks that line
            ids = {x.strip() for x in m.group(2).split(",") if x.strip()}
            (expected if m.group(1) == "ruleid" else ok)[i] |= ids
        if pending and stripped:
            for kind, ids in pending:
                (expected if kind == "ruleid" else ok)[i] |= ids
            pending = []
    return expected, ok


def run_fixtures(paths: list[str], rules: list[Rule], options: Options) -> FixtureReport:
    result = check_paths(paths, rules, options)
    report = FixtureReport(result=result)
    found: dict[tuple[str, int, str], Finding] = {(f.path, f.line, f.rule_id): f for f in result.findings}
    expected_keys: set[tuple[str, int, str]] = set()
    from linter.discovery import discover

    for path in discover(paths, []):
        exp, ok = read_annotations(path)
        for line, ids in exp.items():
            for rid in ids:
                expected_keys.add((path, line, rid))
                report.per_rule[rid][0] += 1
        for ids in ok.values():
            for rid in ids:
                report.per_rule[rid][1] += 1
                report.ok_marks += 1
    report.expected = len(expected_keys)
    for key in sorted(expected_keys):
        if key in found:
            report.matched += 1
        else:
            report.missing.append(key)
    report.unexpected = [f for k, f in sorted(found.items()) if k not in expected_keys]
    _check_fixes(paths, rules, options, result, report)
    return report


FIXED_SUFFIX = ".fixed"


def _fixed_files(paths: list[str]) -> list[str]:
    """The `x.go.fixed` files under `paths` (or named), sorted."""
    import os

    out = []
    for p in paths:
        if os.path.isfile(p):
            if p.endswith(".go" + FIXED_SUFFIX):
                out.append(p)
            elif os.path.isfile(p + FIXED_SUFFIX):
                out.append(p + FIXED_SUFFIX)
            continue
        for d, dirs, names in os.walk(p):
            dirs.sort()
            out.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(".go" + FIXED_SUFFIX))
    return sorted(set(out))


def _check_fixes(paths: list[str], rules: list[Rule], options: Options, result: Result, report: FixtureReport) -> None:
    """Each `x.go.fixed` against what `check --fix` makes of `x.go` (the same code, nothing
    written: linter.fix.command)."""
    import difflib
    import os

    from linter.fix.command import run as fix_run

    pairs = _fixed_files(paths)
    if not pairs:
        return
    outcome = fix_run(result, rules, options, write=False)
    changed = {os.path.normpath(p): new for p, (_, new) in outcome.changes.items()}
    fixable = {os.path.normpath(f.path) for f in result.findings if f.fix is not None}
    why: dict[str, list[str]] = {}
    for f, reason in outcome.unfixed.items():
        why.setdefault(os.path.normpath(f.path), []).append(f"  line {f.line} [{f.rule_id}] not fixed: {reason}")
    for fixed_path in pairs:
        source = fixed_path[: -len(FIXED_SUFFIX)]
        key = os.path.normpath(source)
        report.fixed_files += 1
        try:
            with open(source, "rb") as fh:
                data = fh.read()
            with open(fixed_path, "rb") as fh:
                expected = fh.read()
        except OSError as e:
            report.fix_failures.append((fixed_path, f"cannot read the fixture pair: {e.strerror or e}"))
            continue
        if key not in fixable:
            if expected != data:  # (a .fixed identical to its source says: no fix, leave it alone)
                report.fix_failures.append((source, f"has {os.path.basename(fixed_path)} but no fix is offered"))
            continue
        got = changed.get(key, data)
        if got == expected:
            continue
        diff = difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(keepends=True),
            got.decode("utf-8", "replace").splitlines(keepends=True),
            fixed_path,
            f"{source} after --fix",
        )
        notes = "".join(f"\n{line}" for line in why.get(key, []))
        report.fix_failures.append(
            (source, f"the fixed output differs from {os.path.basename(fixed_path)}{notes}\n" + "".join(diff).rstrip("\n"))
        )


def render(report: FixtureReport) -> str:
    out = []
    for path, line, rid in report.missing:
        out.append(f"{path}:{line}: missing finding [{rid}]")
    for f in report.unexpected:
        out.append(f"{f.path}:{f.line}: unexpected finding [{f.rule_id}]: {f.message}")
    if report.result:
        for e in report.result.errors:
            out.append(f"{e.path}: error: {e.message}")
    for path, what in report.fix_failures:
        out.append(f"{path}: fix: {what}")
    status = "PASS" if report.passed else "FAIL"
    fixed = f", {report.fixed_files - len(report.fix_failures)}/{report.fixed_files} fixed files as expected" if report.fixed_files else ""
    out.append(
        f"{status}: {report.matched}/{report.expected} expected findings, {len(report.missing)} missing, "
        f"{len(report.unexpected)} unexpected, {report.ok_marks} ok-marked lines{fixed}"
    )
    return "\n".join(out) + "\n"
