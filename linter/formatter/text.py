"""Human-readable output: `path:line:col: severity: message [rule-id]`, one line per finding
(`message (fixable) [rule-id]` when `check --fix` can fix it; columns are 1-based bytes, like go vet), `path: note: ...` for files not fully checked, then
a summary. On a terminal (`TextStyle.excerpt`) each finding is followed by its source line with a
caret under the column, and `TextStyle.color` adds ANSI colours; pipes and CI logs get the plain
lines. Paths, messages and source lines are shown in the escaped display form
(`linter.formatter.escape`): nothing from a file name or a Go file can start a line or reach
the terminal as a control sequence."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from linter.engine import Result
from linter.formatter.escape import display_path, printable
from linter.formatter.location import Sources
from linter.model import Finding, Rule

TAB = 4
WINDOW = 240  # bytes of a long source line shown around the finding
RESET = "\x1b[0m"
COLORS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m"}
BOLD, DIM, CARET, NOTE = "\x1b[1m", "\x1b[2m", "\x1b[1;32m", "\x1b[1;35m"
FIXABLE = "(fixable)"  # before the rule id of a finding `check --fix` can fix (the line still ends in it)


@dataclass(frozen=True)
class TextStyle:
    """How `render` decorates its lines (the command line decides: see `--color`)."""

    color: bool = False
    excerpt: bool = False


def render(result: Result, rules: list[Rule] | None = None, style: TextStyle | None = None) -> str:
    style = style or TextStyle()
    paint = _painter(style.color)
    sources = Sources() if style.excerpt else None
    lines = []
    for f in result.findings:
        lines.append(
            f"{paint(BOLD, f'{display_path(f.path)}:{f.line}:{f.column}:')} {paint(COLORS.get(f.severity, ''), f.severity + ':')} "
            f"{printable(f.message)} " + (f"{paint(CARET, FIXABLE)} " if f.fix is not None else "") + paint(DIM, f"[{f.rule_id}]")
        )
        if sources is not None:
            lines.extend(_excerpt(sources, f, paint))
    for e in result.errors:
        lines.append(f"{paint(BOLD, display_path(e.path) + ':')} {paint(NOTE, 'note:')} {printable(e.message)}")
    lines.append(paint(BOLD, summary(result)) if result.findings else summary(result))
    return "\n".join(lines) + "\n"


def _painter(color: bool) -> Callable[[str, str], str]:
    def paint(code: str, s: str) -> str:
        return f"{code}{s}{RESET}" if color and code else s

    return paint


def _excerpt(sources: Sources, f: Finding, paint: Callable[[str, str], str]) -> list[str]:
    """The finding's source line and a caret (`^~~~`) under its columns (to the end of the line
    when the finding spans lines). A long line is shown as a window around the column."""
    raw = sources.line(f.path, f.line)
    if raw is None:
        return []
    start = max(0, f.column - 1)
    end = f.end_column - 1 if f.end_line == f.line else len(raw)
    end = max(start + 1, min(end, len(raw)))
    lead = tail = ""
    if len(raw) > WINDOW:
        lo = _boundary(raw, max(0, start - WINDOW // 3))
        hi = _boundary(raw, min(len(raw), lo + WINDOW))
        lead, tail = ("..." if lo else ""), ("..." if hi < len(raw) else "")
        raw, start, end = raw[lo:hi], start - lo, min(end, hi) - lo
    before = len(lead) + _width(_cells(raw[:start]))
    span = max(1, _width(_cells(raw[start:end])))
    gutter = f"{f.line:>5} | "
    caret = "^" + "~" * (span - 1)
    return [paint(DIM, gutter) + lead + _cells(raw) + tail, paint(DIM, " " * (len(gutter) - 2) + "| ") + " " * before + paint(CARET, caret)]


def _boundary(raw: bytes, i: int) -> int:
    """`i`, moved forward to the start of a UTF-8 character."""
    while i < len(raw) and 0x80 <= raw[i] < 0xC0:
        i += 1
    return i


def _cells(raw: bytes) -> str:
    """A source line as shown: tabs expanded to spaces, anything else unsafe escaped."""
    return printable(raw.decode("utf-8", "replace").replace("\t", " " * TAB))


def _width(s: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def summary(result: Result) -> str:
    s = result.stats
    n = len(result.findings)
    by_sev = Counter(f.severity for f in result.findings)
    parts = ", ".join(f"{by_sev[k]} {k}" for k in ("error", "warning", "info") if by_sev[k])
    head = f"{n} finding{'s' if n != 1 else ''}" + (f" ({parts})" if parts else "")
    tail = f" in {s.files} file{'s' if s.files != 1 else ''} ({s.seconds:.2f}s)"
    extra = []
    if result.fixed is not None:
        extra.append(f"{result.fixed} fixed, {n} remaining")
    fixable = sum(1 for f in result.findings if f.fix is not None)
    if fixable:
        extra.append(f"{fixable} fixable with --fix")
    if result.errors:
        extra.append(f"{len(result.errors)} file note{'s' if len(result.errors) != 1 else ''}")
    if result.suppressed:
        extra.append(f"{result.suppressed} suppressed")
    return head + tail + (f"; {', '.join(extra)}" if extra else "")
