"""Checkstyle XML, as Jenkins warnings-ng, reviewdog (`-f=checkstyle`) and most CI dashboards
read it: `<checkstyle><file name=...><error line column severity message source/></file>`.
Columns are 1-based bytes; `source` is `goplumber.<rule-id>`.

Unused suppressions (--report-unused-ignores) are errors of source
`goplumber.unused-suppression`; a file that could not be fully checked gets an error of source
`goplumber.analysis-incomplete` at line 1 (a note, such as a binary file or a syntax error, an
info of source `goplumber.note`). Names and messages are in the escaped display form
(`linter.formatter.escape`): the document is well-formed whatever the file names."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only write XML
from dataclasses import dataclass

from linter.engine import Result
from linter.formatter import incomplete
from linter.formatter.escape import display_path, printable
from linter.model import Rule

SEVERITIES = {"error": "error", "warning": "warning", "info": "info"}


@dataclass(frozen=True, order=True)
class Entry:
    path: str
    line: int
    column: int  # 0: none
    severity: str
    message: str
    source: str


def entries(result: Result) -> list[Entry]:
    out = [
        Entry(f.path, f.line, f.column, SEVERITIES.get(f.severity, "warning"), f.message, f"goplumber.{f.rule_id}") for f in result.findings
    ]
    out.extend(
        Entry(p, line, 0, "warning", f"unused suppression: {text}", "goplumber.unused-suppression")
        for p, line, text in result.unused_ignores
    )
    for e in result.errors:
        if incomplete(e):
            out.append(Entry(e.path, 1, 0, "error", f"not fully checked: {e.message}", "goplumber.analysis-incomplete"))
        else:
            out.append(Entry(e.path, 1, 0, "info", e.message, "goplumber.note"))
    return out


def render(result: Result, rules: list[Rule] | None = None) -> str:
    root = ET.Element("checkstyle", version="4.3")
    files: dict[str, ET.Element] = {}
    for e in entries(result):
        name = display_path(e.path)
        node = files.get(name)
        if node is None:
            node = files[name] = ET.SubElement(root, "file", name=name)
        attrs = {"line": str(e.line), "severity": e.severity, "message": printable(e.message), "source": e.source}
        if e.column:
            attrs = {"line": str(e.line), "column": str(e.column), **{k: v for k, v in attrs.items() if k != "line"}}
        ET.SubElement(node, "error", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
