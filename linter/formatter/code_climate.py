"""GitLab Code Quality (the Code Climate issue format): a JSON array of issues, each with
`description`, `check_name`, `fingerprint`, `severity` (info, minor, major, critical or
blocker) and `location.path` + `location.lines.begin`. Paths are relative to the repository
root, as GitLab matches them against the merge request's files.

Besides findings, unused suppressions (--report-unused-ignores) are `unused-suppression`
issues, and every file that could not be fully checked is an `analysis-incomplete` issue at its
line 1 (Code Quality has no other place for it); a note (a binary file, a syntax error) is an
`info` issue `file-note`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from linter.engine import Result
from linter.formatter import incomplete
from linter.formatter.escape import display_path, printable
from linter.formatter.location import anchor, uri_of
from linter.model import Rule

SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}
INCOMPLETE = "analysis-incomplete"
UNUSED = "unused-suppression"
NOTE = "file-note"


@dataclass(frozen=True)
class Lines:
    begin: int
    end: int


@dataclass(frozen=True)
class Location:
    path: str
    lines: Lines


@dataclass(frozen=True)
class Issue:
    description: str
    check_name: str
    fingerprint: str
    severity: str
    location: Location
    type: str = "issue"
    categories: tuple[str, ...] = ("Performance",)
    engine_name: str = "goplumber"


def _path(path: str) -> str:
    return display_path(anchor(path).rel)


def _digest(*parts: str | bytes) -> str:
    raw = [p if isinstance(p, bytes) else p.encode("utf-8", "replace") for p in parts]
    return hashlib.sha256(b"\0".join(raw)).hexdigest()[:32]


def issues(result: Result) -> list[Issue]:
    out = [
        Issue(
            description=printable(f.message),
            check_name=f.rule_id,
            fingerprint=f.fingerprint,
            severity=SEVERITIES.get(f.severity, "major"),
            location=Location(_path(f.path), Lines(f.line, f.end_line)),
        )
        for f in result.findings
    ]
    for path, line, text in result.unused_ignores:
        out.append(
            Issue(
                description=printable(f"unused suppression: {text}"),
                check_name=UNUSED,
                fingerprint=_digest(UNUSED, uri_of(anchor(path).rel), str(line), text),
                severity="minor",
                location=Location(_path(path), Lines(line, line)),
                categories=("Style",),
            )
        )
    for e in result.errors:
        full = incomplete(e)
        out.append(
            Issue(
                description=printable(f"goplumber could not fully check this file: {e.message}" if full else e.message),
                check_name=INCOMPLETE if full else NOTE,
                fingerprint=_digest(INCOMPLETE if full else NOTE, uri_of(anchor(e.path).rel), e.message),
                severity="major" if full else "info",
                location=Location(_path(e.path), Lines(1, 1)),
                categories=("Bug Risk",),
            )
        )
    return out


def render(result: Result, rules: list[Rule] | None = None) -> str:
    return json.dumps([asdict(i) for i in issues(result)], indent=2) + "\n"
