"""`goplumber test`: run the rules on annotated Go fixtures, like semgrep's `--test` and
analysistest. `// ruleid: <id>[, <id>]` marks the next code line as an expected finding; `// ok:
<id>` marks a tricky line that must stay clean. Any finding not on a `ruleid` line is unexpected."""

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

    @property
    def passed(self) -> bool:
        return not self.missing and not self.unexpected and not (self.result and self.result.errors)


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
    return report


def render(report: FixtureReport) -> str:
    out = []
    for path, line, rid in report.missing:
        out.append(f"{path}:{line}: missing finding [{rid}]")
    for f in report.unexpected:
        out.append(f"{f.path}:{f.line}: unexpected finding [{f.rule_id}]: {f.message}")
    if report.result:
        for e in report.result.errors:
            out.append(f"{e.path}: error: {e.message}")
    status = "PASS" if report.passed else "FAIL"
    out.append(
        f"{status}: {report.matched}/{report.expected} expected findings, {len(report.missing)} missing, "
        f"{len(report.unexpected)} unexpected, {report.ok_marks} ok-marked lines"
    )
    return "\n".join(out) + "\n"
