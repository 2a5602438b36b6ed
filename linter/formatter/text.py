"""Human-readable output: `path:line:col: severity: message [rule-id]`, then a summary."""

from __future__ import annotations

from collections import Counter

from linter.engine import Result
from linter.model import Rule


def render(result: Result, rules: list[Rule] | None = None) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.severity}: {f.message} [{f.rule_id}]" for f in result.findings]
    for e in result.errors:
        lines.append(f"{e.path}: note: {e.message}")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: Result) -> str:
    s = result.stats
    n = len(result.findings)
    by_sev = Counter(f.severity for f in result.findings)
    parts = ", ".join(f"{by_sev[k]} {k}" for k in ("error", "warning", "info") if by_sev[k])
    head = f"{n} finding{'s' if n != 1 else ''}" + (f" ({parts})" if parts else "")
    tail = f" in {s.files} file{'s' if s.files != 1 else ''} ({s.seconds:.2f}s)"
    extra = []
    if result.errors:
        extra.append(f"{len(result.errors)} file note{'s' if len(result.errors) != 1 else ''}")
    if result.suppressed:
        extra.append(f"{result.suppressed} suppressed")
    return head + tail + (f"; {', '.join(extra)}" if extra else "")
