"""`goplumber report`: what an audit found, in a form people can look at and share.

Every format carries the same content: totals per rule with the number of repositories
affected, a per-repository table (findings per rule, per 1,000 lines), the worst files, and
every finding with its snippet. HTML is one self-contained file (inline CSS, JS and SVG)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter, defaultdict
from typing import Any

from linter import __version__


def summarize(data: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    repos = data["repositories"]
    findings = data["findings"]
    rules = sorted({f["rule_id"] for f in findings})
    per_rule = Counter(f["rule_id"] for f in findings)
    repos_per_rule = {r: len({f["repo"] for f in findings if f["rule_id"] == r}) for r in rules}
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    files: Counter[tuple[str, str]] = Counter()
    for f in findings:
        matrix[f["repo"]][f["rule_id"]] += 1
        files[(f["repo"], f["path"])] += 1
    table = []
    for r in repos:
        n = sum(matrix[r["path"]].values())
        table.append(
            {
                "path": r["path"],
                "status": r["status"],
                "error": r["error"],
                "commit": r["git_commit"],
                "remote": r.get("remote_url"),
                "run": r.get("run"),
                "go": r["go_version"],
                "files": r["files"],
                "lines": r["lines"],
                "duration": r["duration"],
                "findings": n,
                "per_kloc": round(n * 1000 / r["lines"], 3) if r["lines"] else 0.0,
                "by_rule": {rule: matrix[r["path"]][rule] for rule in rules},
            }
        )
    return {
        "goplumber": __version__,
        "totals": {
            "repositories": len(repos),
            "failed": sum(1 for r in repos if r["status"] != "ok"),
            "files": sum(r["files"] for r in repos),
            "lines": sum(r["lines"] for r in repos),
            "findings": len(findings),
        },
        "runs": data.get("runs", []),
        "rules": [{"rule_id": r, "findings": per_rule[r], "repositories": repos_per_rule[r]} for r in rules],
        "repositories": table,
        "worst_files": [{"repo": k[0], "path": k[1], "findings": v} for k, v in files.most_common(20)],
        "findings": [
            {k: f[k] for k in ("repo", "rule_id", "severity", "path", "line", "col", "fingerprint", "message", "snippet")} for f in findings
        ],
    }


def render(data: dict[str, list[dict[str, Any]]], fmt: str) -> str:
    s = summarize(data)
    return {"json": _json, "csv": _csv, "md": _markdown, "html": _html}[fmt](s)


def _json(s: dict[str, Any]) -> str:
    return json.dumps(s, indent=2) + "\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _controls(x: str) -> str:
    """Control characters (C0, DEL, C1) as visible escapes: `\\x01`, `\\n`."""
    out = []
    for c in x:
        o = ord(c)
        if o < 0x20 or 0x7F <= o < 0xA0:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, f"\\x{o:02x}"))
        else:
            out.append(c)
    return "".join(out)


def _csv_cell(x: Any) -> Any:
    """A cell a spreadsheet shows as text: no formula (a leading = + - @ tab or CR gets a `'`),
    no control characters."""
    if not isinstance(x, str):
        return x
    if x.startswith(_FORMULA_START):
        x = "'" + x
    return _controls(x)


def _csv(s: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["repo", "rule_id", "severity", "path", "line", "column", "fingerprint", "message", "snippet"])
    for f in s["findings"]:
        w.writerow(
            [
                _csv_cell(v)
                for v in (
                    f["repo"],
                    f["rule_id"],
                    f["severity"],
                    f["path"],
                    f["line"],
                    f["col"],
                    f["fingerprint"],
                    f["message"],
                    f["snippet"],
                )
            ]
        )
    return buf.getvalue()


_MD_PUNCT = set("\\`*_{}[]()#!|~")


def _md(x: Any) -> str:
    """Text for a Markdown table cell or list item: HTML characters as entities, the Markdown
    punctuation that could make emphasis, links, images, code spans, headings, lists or table
    cells backslash-escaped, control characters and line breaks visible."""
    out = []
    for c in _controls(str(x)):
        if c == "<":
            out.append("&lt;")
        elif c == ">":
            out.append("&gt;")
        elif c == "&":
            out.append("&amp;")
        elif c in _MD_PUNCT:
            out.append("\\" + c)
        else:
            out.append(c)
    shown = "".join(out)
    if shown[:1] in ("-", "+", "="):  # would start a list item or a heading underline
        shown = "\\" + shown
    m = re.match(r"\d{1,9}[.)](?=\s|$)", shown)
    if m:  # "1. x" would start an ordered list
        shown = shown[: m.end() - 1] + "\\" + shown[m.end() - 1 :]
    return shown


def _md_code(x: Any, in_table: bool = True) -> str:
    """A code span holding `x` literally: fenced with one backtick more than the longest run
    of backticks in it, padded when it starts or ends with one. Its content is never read as
    HTML or Markdown; in a table a `|` still ends the cell, so it is escaped (GFM)."""
    body = _controls(str(x))
    if in_table:
        body = body.replace("|", "\\|")
    longest = run = 0
    for c in body:
        run = run + 1 if c == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.endswith(" ") and body.strip()):
        body = f" {body} "
    return f"{fence}{body}{fence}" if body else ""


def _run_line(run: dict[str, Any]) -> tuple[str, str, str]:
    rules = run.get("rules")
    options = run.get("options")
    shown_rules = ", ".join(rules) if rules is not None else "(not recorded: store of goplumber 0.1.0)"
    shown_options = json.dumps(options, sort_keys=True) if options is not None else "(not recorded)"
    return run.get("goplumber_version") or "?", shown_rules, shown_options


def _markdown(s: dict[str, Any]) -> str:
    t = s["totals"]
    out = [
        "# goplumber audit",
        "",
        f"{t['repositories']} repositories ({t['failed']} failed), {t['files']:,} files, {t['lines']:,} lines, **{t['findings']} findings**.",
        "",
        "## Runs",
        "",
        "| run | goplumber | rules | options | arguments | repositories |",
        "|---|---|---|---|---|---:|",
    ]
    per_run = Counter(r["run"] for r in s["repositories"])
    for run in s["runs"]:
        version, rules_text, options_text = _run_line(run)
        out.append(
            f"| {_md(run['run'])} | {_md(version)} | {_md(rules_text)} | {_md_code(options_text)} | {_md_code(run.get('arguments') or '')} "
            f"| {per_run[run['run']]} |"
        )
    out += [
        "",
        "## Findings per rule",
        "",
        "| rule | findings | repositories affected |",
        "|---|---:|---:|",
    ]
    out += [f"| {_md_code(r['rule_id'])} | {r['findings']} | {r['repositories']} |" for r in s["rules"]]
    rules = [r["rule_id"] for r in s["rules"]]
    out += [
        "",
        "## Repositories",
        "",
        "| repository | status | files | lines | findings | per 1k lines | " + " | ".join(_md_code(r) for r in rules) + " |",
    ]
    out.append("|---|---|---:|---:|---:|---:|" + "---:|" * len(rules))
    for r in sorted(s["repositories"], key=lambda r: -r["findings"]):
        cells = [
            _md(r["path"]),
            _md(r["status"]),
            r["files"],
            r["lines"],
            r["findings"],
            f"{r['per_kloc']:.2f}",
            *(r["by_rule"][x] for x in rules),
        ]
        out.append("| " + " | ".join(map(str, cells)) + " |")
    failed = [r for r in s["repositories"] if r["status"] != "ok"]
    if failed:
        out += ["", "## Failed repositories", "", "| repository | error |", "|---|---|"]
        out += [f"| {_md(r['path'])} | {_md(r['error'] or r['status'])} |" for r in failed]
    out += ["", "## Worst files", "", "| repository | file | findings |", "|---|---|---:|"]
    out += [f"| {_md(w['repo'])} | {_md(w['path'])} | {w['findings']} |" for w in s["worst_files"]]
    out += ["", "## Findings", ""]
    for f in s["findings"]:
        out.append(
            f"- {_md(f['repo'])}: {_md(f['path'])}:{f['line']} **{_md(f['rule_id'])}** ({_md(f['severity'])}): {_md(f['message'])}  \n"
            f"  {_md_code(f['snippet'][:200], in_table=False)}"
        )
    return "\n".join(out) + "\n"


CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1f24;max-width:1400px}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
th{background:#f6f8fa;cursor:pointer;user-select:none}th.num,td.num{text-align:right}
tr:nth-child(even) td{background:#fbfcfd}code{font-family:ui-monospace,Menlo,monospace;font-size:12px}
.totals span{display:inline-block;margin-right:1.6rem}.totals b{font-size:1.3rem}
.bad{color:#cf222e}.snippet{color:#57606a}svg text{font:12px system-ui,sans-serif}
"""
JS = """
document.querySelectorAll('table.sortable').forEach(function(t){
  t.querySelectorAll('th').forEach(function(th,i){
    th.addEventListener('click',function(){
      var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      var asc=th.dataset.dir!=='asc';th.dataset.dir=asc?'asc':'desc';
      rows.sort(function(a,b){
        var x=a.cells[i].dataset.v||a.cells[i].textContent,y=b.cells[i].dataset.v||b.cells[i].textContent;
        var nx=parseFloat(x),ny=parseFloat(y);
        var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
        return asc?c:-c;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
});
"""


def _bar_chart(rules: list[dict[str, Any]]) -> str:
    if not rules:
        return "<p>No findings.</p>"
    width, bar_h, label_w = 720, 26, 170
    top = max(r["findings"] for r in rules) or 1
    h = bar_h * len(rules) + 10
    parts = [f'<svg id="chart-rules" role="img" aria-label="findings per rule" width="{width}" height="{h}" viewBox="0 0 {width} {h}">']
    for i, r in enumerate(rules):
        w = max(2, int((width - label_w - 60) * r["findings"] / top))
        y = i * bar_h + 5
        rid = html.escape(r["rule_id"])
        parts.append(f'<text x="0" y="{y + 16}">{rid}</text>')
        parts.append(
            f'<a href="#rule-{rid}"><rect x="{label_w}" y="{y}" width="{w}" height="{bar_h - 6}" fill="#0969da"><title>{rid}: {r["findings"]}</title></rect></a>'
        )
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 16}">{r["findings"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _heat_map(repos: list[dict[str, Any]], rules: list[str]) -> str:
    """Repositories with findings, and every failed repository (a grey row saying why)."""
    failed = [r for r in repos if r["status"] != "ok"]
    rows = [r for r in repos if r["findings"] and r["status"] == "ok"] + failed
    if not rows or (not rules and not failed):
        return ""
    columns = rules or ["(no findings)"]
    cell, label_w, head_h = 22, 300, 120
    top = max((max(r["by_rule"].values(), default=0) for r in rows), default=1) or 1
    width, height = label_w + cell * len(columns) + 140, head_h + cell * len(rows) + 10  # room for the slanted names
    out = [
        f'<svg id="heatmap" role="img" aria-label="repositories by rules" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]
    for j, rule in enumerate(columns):
        x = label_w + j * cell + cell / 2
        out.append(f'<text transform="translate({x},{head_h - 6}) rotate(-55)">{html.escape(rule)}</text>')
    for i, r in enumerate(rows):
        y = head_h + i * cell
        bad = r["status"] != "ok"
        name = r["path"] if len(r["path"]) <= 44 else "…" + r["path"][-43:]
        label = f"{name} (failed)" if bad else name
        fill = ' fill="#cf222e"' if bad else ""
        out.append(f'<text x="0" y="{y + 15}"{fill}>{html.escape(label)}</text>')
        for j, rule in enumerate(columns):
            if bad:
                out.append(
                    f'<rect class="failed" x="{label_w + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="#d0d7de" stroke="#8c959f">'
                    f"<title>{html.escape(r['path'])}: failed: {html.escape(r['error'] or r['status'])}</title></rect>"
                )
                continue
            v = r["by_rule"].get(rule, 0)
            alpha = 0.08 + 0.92 * (v / top) if v else 0.0
            out.append(
                f'<rect x="{label_w + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="rgba(207,34,46,{alpha:.3f})" stroke="#d0d7de">'
                f"<title>{html.escape(r['path'])} / {html.escape(rule)}: {v}</title></rect>"
            )
    out.append("</svg>")
    return "".join(out)


def _runs_html(s: dict[str, Any]) -> list[str]:
    e = html.escape
    per_run = Counter(r["run"] for r in s["repositories"])
    body = [
        "<h2>Runs</h2>",
        '<table id="runs"><thead><tr><th>run</th><th>goplumber</th><th>rules</th><th>options</th><th>arguments</th>'
        '<th class="num">repositories</th></tr></thead><tbody>',
    ]
    for run in s["runs"]:
        version, rules_text, options_text = _run_line(run)
        body.append(
            f"<tr><td>{e(run['run'])}</td><td>{e(version)}</td><td><code>{e(rules_text)}</code></td><td><code>{e(options_text)}</code></td>"
            f'<td><code>{e(run.get("arguments") or "")}</code></td><td class="num">{per_run[run["run"]]}</td></tr>'
        )
    body.append("</tbody></table>")
    return body


def _html(s: dict[str, Any]) -> str:
    e = html.escape
    t = s["totals"]
    rules = [r["rule_id"] for r in s["rules"]]
    body = [
        "<h1>goplumber audit</h1>",
        f'<p class="totals"><span><b>{t["repositories"]}</b> repositories</span><span><b>{t["failed"]}</b> failed</span>'
        f'<span><b>{t["files"]:,}</b> files</span><span><b>{t["lines"]:,}</b> lines</span><span><b class="bad">{t["findings"]}</b> findings</span></p>',
        "<h2>Findings per rule</h2>",
        _bar_chart(s["rules"]),
        '<table class="sortable" id="rules"><thead><tr><th>rule</th><th class="num">findings</th><th class="num">repositories affected</th></tr></thead><tbody>',
    ]
    for r in s["rules"]:
        body.append(
            f'<tr><td><a href="#rule-{e(r["rule_id"])}"><code>{e(r["rule_id"])}</code></a></td><td class="num">{r["findings"]}</td><td class="num">{r["repositories"]}</td></tr>'
        )
    body.append("</tbody></table>")
    body += _runs_html(s)
    body += ["<h2>Repositories &times; rules</h2>", _heat_map(s["repositories"], rules), "<h2>Repositories</h2>"]
    body.append(
        '<table class="sortable" id="repositories"><thead><tr><th>repository</th><th>status</th><th class="num">files</th><th class="num">lines</th>'
        '<th class="num">findings</th><th class="num">per 1k lines</th>'
        + "".join(f'<th class="num">{e(x)}</th>' for x in rules)
        + "</tr></thead><tbody>"
    )
    for i, r in enumerate(sorted(s["repositories"], key=lambda r: -r["findings"])):
        status = e(r["status"]) if r["status"] == "ok" else f'<span class="bad">{e(r["status"])}: {e(r["error"] or "")}</span>'
        cells = "".join(f'<td class="num">{r["by_rule"][x]}</td>' for x in rules)
        body.append(
            f'<tr id="repo-{i}"><td><a href="#findings-{e(r["path"])}"><code>{e(r["path"])}</code></a></td><td>{status}</td><td class="num">{r["files"]}</td>'
            f'<td class="num">{r["lines"]}</td><td class="num">{r["findings"]}</td><td class="num">{r["per_kloc"]:.2f}</td>{cells}</tr>'
        )
    body.append("</tbody></table><h2>Worst files</h2>")
    body.append(
        '<table class="sortable" id="worst"><thead><tr><th>repository</th><th>file</th><th class="num">findings</th></tr></thead><tbody>'
    )
    for w in s["worst_files"]:
        body.append(
            f'<tr><td><code>{e(w["repo"])}</code></td><td><code>{e(w["path"])}</code></td><td class="num">{w["findings"]}</td></tr>'
        )
    body.append("</tbody></table><h2>Findings</h2>")
    by_rule: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in s["findings"]:
        by_rule[f["rule_id"]].append(f)
    anchored: set[str] = set()
    for rule in rules:
        body.append(f'<h3 id="rule-{e(rule)}"><code>{e(rule)}</code> ({len(by_rule[rule])})</h3>')
        body.append(
            '<table class="sortable"><thead><tr><th>location</th><th>severity</th><th>message</th><th>code</th></tr></thead><tbody>'
        )
        for f in by_rule[rule]:
            anchor = "" if f["repo"] in anchored else f' id="findings-{e(f["repo"])}"'
            anchored.add(f["repo"])
            body.append(
                f"<tr{anchor}><td><code>{e(f['path'])}:{f['line']}</code></td><td>{e(f['severity'])}</td>"
                f'<td>{e(f["message"])}</td><td class="snippet"><code>{e(f["snippet"][:300])}</code></td></tr>'
            )
        body.append("</tbody></table>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>goplumber audit</title><style>{CSS}</style></head><body>"
        + "\n".join(body)
        + f'<p class="snippet">goplumber {e(s["goplumber"])}</p><script>{JS}</script></body></html>\n'
    )
