"""`goplumber triage --format html`: the report as one self-contained page (inline CSS, JS and
SVG; no external assets), in the audit report's style (linter/audit/report.py's CSS and table
sorting): confirmed findings first with the growth that confirms them, then the findings runtime
evidence does not confirm, the growth no finding explains, a chart of the top groups of every
kind (the base snapshot in grey, growth on top of it), and the inputs."""

from __future__ import annotations

import html

from linter.audit.report import CSS as AUDIT_CSS
from linter.audit.report import JS
from linter.triage.model import EV_GOROUTINES, EV_HEAP, EV_LABEL, EV_LEAKED, EV_SERIES, Evidence, Group, Report, TriagedFinding
from linter.triage.render import size

TOP = 10  # groups per chart
KIND_TITLES = {
    EV_GOROUTINES: "Goroutines by stack",
    EV_LEAKED: "Leaked goroutines (the runtime's goroutineleak profile)",
    EV_HEAP: "In-use heap by allocation site",
    EV_SERIES: "Series per metric",
    EV_LABEL: "Distinct values per label",
}
CSS = (
    AUDIT_CSS
    + """
.ok{color:#1a7f37}.muted{color:#57606a}.finding{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.finding.confirmed{border-left:4px solid #cf222e}.finding h3{margin:.2rem 0 .4rem;font-size:1rem}.note{color:#9a6700}
"""
)
_E = html.escape


def amount(kind: str, n: int | None) -> str:
    """A count in its kind's unit: bytes as KiB/MiB/GiB, the rest as numbers."""
    if n is None:
        return "–"
    return size(n) if kind == EV_HEAP else f"{n:,}"


def growth(kind: str, g: int | None) -> str:
    if g is None:
        return "–"
    return ("+" if g > 0 else "") + amount(kind, g)


def _where(e: Evidence) -> str:
    w = e.where
    if w is None:
        return ""
    place = f"{w.source or w.path}:{w.line}" if (w.source or w.path) else ""
    return f"<code>{_E(w.function)}</code>" + (f'<br><span class="muted"><code>{_E(place)}</code></span>' if place else "")


def chart(kind: str, groups: list[Group], linked: set[tuple[str, str]], top: int = TOP) -> str:
    """Horizontal bars for the top groups of one kind: the base count in grey, the current
    count over it (red when the group is evidence for a finding or grew materially, blue
    otherwise). Without a base, only the current count."""
    shown = groups[:top]
    if not shown:
        return ""
    width, bar_h, label_w, value_w = 980, 24, 460, 150
    span = width - label_w - value_w
    peak = max(max(g.count, g.base or 0) for g in shown) or 1
    h = bar_h * len(shown) + 8
    out = [
        f'<svg class="chart" id="chart-{_E(kind)}" role="img" aria-label="{_E(KIND_TITLES.get(kind, kind))}" width="{width}" height="{h}" viewBox="0 0 {width} {h}">'
    ]
    for i, g in enumerate(shown):
        y = i * bar_h + 4
        label = _label(g)
        title = label if len(label) <= 64 else "…" + label[-63:]
        hot = (kind, g.key) in linked or g.material
        out.append(f'<text x="0" y="{y + 15}"><title>{_E(g.title)}</title>{_E(title)}</text>')
        if g.base is not None:
            bw = max(1, int(span * g.base / peak)) if g.base else 0
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{bw}" height="{bar_h - 7}" fill="#d0d7de"><title>base: {_E(amount(kind, g.base))}</title></rect>'
            )
        cw = max(2, int(span * g.count / peak))
        fill = "#cf222e" if hot else "#0969da"
        opacity = "0.85" if g.base is not None else "1"
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{cw}" height="{bar_h - 15}" fill="{fill}" fill-opacity="{opacity}">'
            f"<title>{_E(g.title)}: {_E(amount(kind, g.count))} ({_E(growth(kind, g.growth))})</title></rect>"
        )
        label = amount(kind, g.count) + (f" ({growth(kind, g.growth)})" if g.base is not None else "")
        out.append(f'<text x="{label_w + max(cw, int(span * (g.base or 0) / peak)) + 6}" y="{y + 15}">{_E(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _label(g: Group) -> str:
    """A chart row's name: the top user frame without its import path's directories, and the
    wait state (`configsdk.(*Client).sendLoop [select]`); metrics by their title."""
    if g.site is None:
        return g.title
    short = g.site.function[g.site.function.rfind("/") + 1 :]
    if g.kind == EV_HEAP:
        return short
    return f"{short} [{g.wait}]" if g.wait else short


def _evidence_table(evidence: list[Evidence]) -> str:
    if not evidence:
        return '<p class="muted">No runtime evidence links to this finding.</p>'
    rows = [
        '<table class="sortable"><thead><tr><th>evidence</th><th>group</th><th class="num">count</th><th class="num">growth</th><th>where</th></tr></thead><tbody>'
    ]
    for e in evidence:
        leaked = ' <span class="bad">(leaked)</span>' if e.leaked else ""
        rows.append(
            f"<tr><td>{_E(e.kind)}{leaked}</td><td><code>{_E(e.title)}</code></td>"
            f'<td class="num" data-v="{e.count}">{_E(amount(e.kind, e.count))}</td>'
            f'<td class="num" data-v="{e.growth if e.growth is not None else ""}">{_E(growth(e.kind, e.growth))}</td><td>{_where(e)}</td></tr>'
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _finding(tf: TriagedFinding) -> str:
    cls = "finding confirmed" if tf.confirmed else "finding"
    state = '<span class="bad">confirmed</span>' if tf.confirmed else '<span class="muted">not confirmed</span>'
    out = [
        f'<div class="{cls}"><h3>{state} <code>{_E(tf.rule_id)}</code> <code>{_E(tf.path)}:{tf.line}</code></h3>',
        f"<p>{_E(tf.message)}</p>",
    ]
    if tf.function:
        out.append(f'<p class="muted">in <code>{_E(tf.function)}</code></p>')
    if tf.note:
        out.append(f'<p class="note">{_E(tf.note)}</p>')
    out.append(_evidence_table(tf.evidence))
    out.append("</div>")
    return "".join(out)


def render(report: Report) -> str:
    confirmed = [f for f in report.findings if f.confirmed]
    others = [f for f in report.findings if not f.confirmed]
    linked = {(e.kind, _key_of(report, e)) for f in report.findings for e in f.evidence}
    body = [
        "<h1>goplumber triage</h1>",
        f'<p class="totals"><span><b class="bad">{len(confirmed)}</b> confirmed findings</span>'
        f"<span><b>{len(others)}</b> not confirmed</span>"
        f"<span><b>{len(report.unexplained)}</b> unexplained growth</span><span><b>{len(report.inputs)}</b> inputs</span></p>",
    ]
    if report.source:
        body.append(
            f'<p class="muted">source: <code>{_E(report.source)}</code>'
            + (f", go {report.go_version[0]}.{report.go_version[1]}" if report.go_version else "")
            + "</p>"
        )
    if report.notes:
        body.append("<ul>" + "".join(f'<li class="note">{_E(n)}</li>' for n in report.notes) + "</ul>")
    body.append("<h2>Confirmed findings</h2>")
    body += [_finding(f) for f in confirmed] or ['<p class="ok">No finding is confirmed by growth in these snapshots.</p>']
    body.append("<h2>Unexplained growth</h2>")
    if report.unexplained:
        body.append(
            '<table class="sortable" id="unexplained"><thead><tr><th>evidence</th><th>group</th><th class="num">count</th><th class="num">growth</th>'
            "<th>top user frame</th><th>hint</th></tr></thead><tbody>"
        )
        for e in report.unexplained:
            body.append(
                f'<tr><td>{_E(e.kind)}</td><td><code>{_E(e.title)}</code></td><td class="num" data-v="{e.count}">{_E(amount(e.kind, e.count))}</td>'
                f'<td class="num" data-v="{e.growth if e.growth is not None else ""}">{_E(growth(e.kind, e.growth))}</td><td>{_where(e)}</td><td>{_E(e.hint)}</td></tr>'
            )
        body.append("</tbody></table>")
    else:
        body.append('<p class="ok">No growth outside the findings above.</p>')
    if others:
        body.append("<h2>Findings not confirmed</h2>")
        body += [_finding(f) for f in others]
    body.append("<h2>Top groups</h2>")
    for kind in (EV_LEAKED, EV_GOROUTINES, EV_HEAP, EV_SERIES, EV_LABEL):
        gs = report.groups.get(kind, [])
        if gs:
            body.append(f"<h3>{_E(KIND_TITLES[kind])} (top {min(TOP, len(gs))} of {len(gs)})</h3>")
            body.append(chart(kind, gs, linked))
    body.append("<h2>Inputs</h2>")
    body.append(
        '<table class="sortable" id="inputs"><thead><tr><th>input</th><th>kind</th><th>format</th><th>role</th><th class="num">total</th></tr></thead><tbody>'
    )
    for i in report.inputs:
        total = amount(EV_HEAP, i.total) if i.kind == "heap" else f"{i.total:,}"
        body.append(
            f'<tr><td><code>{_E(i.path)}</code></td><td>{_E(i.kind)}</td><td>{_E(i.format)}</td><td>{_E(i.role)}</td><td class="num" data-v="{i.total}">{_E(total)}</td></tr>'
        )
    body.append("</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>goplumber triage</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + f'<p class="snippet">goplumber {_E(report.version)}</p><script>{JS}</script></body></html>\n'
    )


def _key_of(report: Report, e: Evidence) -> str:
    """The group key an evidence entry came from (evidence keeps the title, not the key)."""
    for g in report.groups.get(e.kind, []):
        if g.title == e.title and g.count == e.count and g.site == e.where:
            return g.key
    return ""
