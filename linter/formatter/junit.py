"""JUnit XML for Jenkins and GitLab: one test case per rule that ran with no finding (so a clean
run shows passing checks), one failing test case per finding and per unused suppression
(--report-unused-ignores), one test case in error per file that could not be fully checked and
a skipped one per note (a binary file, a syntax error).
Paths and messages are in the escaped display form (`linter.formatter.escape`), which leaves
none of the characters XML 1.0 forbids (C0 controls, U+FFFE/U+FFFF, lone surrogates)."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only write XML

from linter.engine import Result
from linter.formatter import incomplete
from linter.formatter.escape import display_path, printable
from linter.model import Rule


def render(result: Result, rules: list[Rule] | None = None) -> str:
    suites = ET.Element("testsuites", name="goplumber")
    suite = ET.SubElement(suites, "testsuite", name="goplumber")
    failures = 0
    tests = 0
    hit = {f.rule_id for f in result.findings}
    for rule in sorted(rules or [], key=lambda r: r.id):
        if rule.id not in hit:
            ET.SubElement(suite, "testcase", classname=f"goplumber.{rule.id}", name=f"{rule.id}: no findings")
            tests += 1
    for f in result.findings:
        path, message = display_path(f.path), printable(f.message)
        case = ET.SubElement(
            suite, "testcase", classname=f"goplumber.{f.rule_id}", name=f"{path}:{f.line}:{f.column}", file=path, line=str(f.line)
        )
        fail = ET.SubElement(case, "failure", message=message, type=f.rule_id)
        fail.text = f"{f.severity}: {path}:{f.line}:{f.column}: {message} [{f.rule_id}]"
        failures += 1
        tests += 1
    for raw, line, text in result.unused_ignores:
        path, comment = display_path(raw), printable(text)
        case = ET.SubElement(suite, "testcase", classname="goplumber.unused-suppression", name=f"{path}:{line}", file=path, line=str(line))
        fail = ET.SubElement(case, "failure", message=f"unused suppression: {comment}", type="unused-suppression")
        fail.text = f"{path}:{line}: unused suppression: {comment}"
        failures += 1
        tests += 1
    errors = skipped = 0
    for e in result.errors:
        path, message = display_path(e.path), printable(e.message)
        tests += 1
        if incomplete(e):
            case = ET.SubElement(suite, "testcase", classname="goplumber.incomplete", name=path, file=path)
            err = ET.SubElement(case, "error", message=message, type="analysis-incomplete")
            err.text = f"{path}: not fully checked: {message}"
            errors += 1
        else:  # a note: a file the go tool would not build either
            case = ET.SubElement(suite, "testcase", classname="goplumber.note", name=path, file=path)
            ET.SubElement(case, "skipped", message=message)
            skipped += 1
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    suites.set("tests", str(tests))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
