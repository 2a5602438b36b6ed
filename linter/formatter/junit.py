"""JUnit XML for Jenkins and GitLab: one test case per rule that ran with no finding (so a clean
run shows passing checks), and one failing test case per finding."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - we only write XML

from linter.engine import Result
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
        case = ET.SubElement(
            suite, "testcase", classname=f"goplumber.{f.rule_id}", name=f"{f.path}:{f.line}:{f.column}", file=f.path, line=str(f.line)
        )
        fail = ET.SubElement(case, "failure", message=f.message, type=f.rule_id)
        fail.text = f"{f.severity}: {f.path}:{f.line}:{f.column}: {f.message} [{f.rule_id}]"
        failures += 1
        tests += 1
    errors = 0
    for e in result.errors:
        case = ET.SubElement(suite, "testcase", classname="goplumber.input", name=e.path)
        ET.SubElement(case, "skipped", message=e.message)
        tests += 1
        errors += 1
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(errors))
    suites.set("tests", str(tests))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
