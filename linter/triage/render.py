"""Report formats: `render(name, report) -> str`. text and json live here; other formats
register a module in FORMATS (module name relative to linter.triage) with a
`render(report: Report) -> str` function, imported only when used."""

from __future__ import annotations

import importlib
import json

from linter.formatter.escape import display_path, printable
from linter.triage.model import EV_GOROUTINES, EV_HEAP, EV_LABEL, EV_LEAKED, EV_SERIES, Evidence, Report, TriagedFinding

FORMATS = {"text": "render", "json": "render", "html": "html"}


def render(name: str, report: Report) -> str:
    if name == "text":
        return text(report)
    if name == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    module = importlib.import_module(f"linter.triage.{FORMATS[name]}")
    return module.render(report)  # type: ignore[no-any-return]


def available() -> list[str]:
    """The formats whose module exists (html is linter/triage/html.py)."""
    import importlib.util

    return [name for name, mod in FORMATS.items() if mod == "render" or importlib.util.find_spec(f"linter.triage.{mod}") is not None]


def size(n: int) -> str:
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if abs(n) >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} B"


def amount(e: Evidence) -> str:
    """`+60 goroutines (61 now)`, `+1.3 MiB in use (1.8 MiB now)`, `61 goroutines (no base)`."""
    unit = {EV_GOROUTINES: "goroutines", EV_LEAKED: "goroutines", EV_SERIES: "series", EV_LABEL: "label values"}.get(e.kind, "")
    if e.kind == EV_HEAP:
        now = size(e.count) + " in use"
        return f"+{size(e.growth)} in use ({size(e.count)} now)" if e.growth is not None else f"{now} (no base)"
    if e.growth is None:
        return f"{e.count} {unit}" if e.kind == EV_LEAKED else f"{e.count} {unit} (no base)"
    sign = "+" if e.growth >= 0 else ""
    return f"{sign}{e.growth} {unit} ({e.count} now)"


def where(e: Evidence) -> str:
    if e.where is None:
        return ""
    path = e.where.source or e.where.path
    return f" at {printable(e.where.function)} ({display_path(path)}:{e.where.line})"


def _evidence_line(e: Evidence) -> str:
    if e.kind in (EV_SERIES, EV_LABEL):
        return f"{amount(e)}: {printable(e.title)}"
    return f"{amount(e)}: {printable(e.title)}{where(e)}"


def _finding_head(f: TriagedFinding) -> str:
    return f"{display_path(f.path)}:{f.line}: {f.rule_id}: {printable(f.message)}"


def text(report: Report) -> str:
    lines: list[str] = []
    shown = ", ".join(f"{display_path(i.path)} ({i.kind} {i.format}{', base' if i.role == 'base' else ''})" for i in report.inputs)
    lines.append(f"goplumber triage {report.version}: {shown}")
    if report.source is not None:
        go = f", go {report.go_version[0]}.{report.go_version[1]} (go.mod)" if report.go_version else ""
        lines.append(f"source: {display_path(report.source)}{go}")
    confirmed = [f for f in report.findings if f.confirmed]
    others = [f for f in report.findings if not f.confirmed]
    lines.append("")
    lines.append(f"confirmed findings ({len(confirmed)}):" if confirmed else "confirmed findings: none")
    for f in confirmed:
        lines.append(f"  {_finding_head(f)}")
        for e in f.evidence:
            if e.material:
                lines.append(f"    {_evidence_line(e)}")
    if others:
        lines.append("")
        lines.append(f"findings the runtime evidence does not confirm ({len(others)}):")
        for f in others:
            lines.append(f"  {_finding_head(f)}")
            if f.note:
                lines.append(f"    {printable(f.note)}")
            elif f.evidence:
                lines.append(f"    linked, without material growth: {_evidence_line(f.evidence[0])}")
            else:
                lines.append("    no runtime evidence links to it in these snapshots")
    lines.append("")
    if report.unexplained:
        lines.append(f"growth no finding explains ({len(report.unexplained)}):")
        for e in report.unexplained:
            lines.append(f"  {_evidence_line(e)}")
            lines.append(f"    hint: {printable(e.hint)}")
    else:
        lines.append("growth no finding explains: none")
    if report.notes:
        lines.append("")
        lines.extend(f"note: {printable(n)}" for n in report.notes)
    return "\n".join(lines) + "\n"
