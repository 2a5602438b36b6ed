"""Every rule against its annotated fixtures: all `ruleid` lines found, nothing else reported."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from linter.engine import Options
from linter.fixtures import read_annotations, render, run_fixtures
from linter.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = load_rules([])
RULE_IDS = sorted(r.id for r in RULES)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fixtures(rule_id: str) -> None:
    fixture_dir = ROOT / "testdata" / rule_id
    assert fixture_dir.is_dir(), f"rule {rule_id} has no fixtures in testdata/{rule_id}"
    report = run_fixtures([str(fixture_dir)], RULES, Options(jobs=1))
    assert report.passed, render(report)
    assert report.matched == report.expected > 0


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fixture_coverage(rule_id: str) -> None:
    """At least 10 positive and 10 negative annotated cases per rule."""
    pos, neg = Counter(), Counter()
    for path in (ROOT / "testdata" / rule_id).rglob("*.go"):
        exp, ok = read_annotations(str(path))
        for ids in exp.values():
            pos.update(ids)
        for ids in ok.values():
            neg.update(ids)
    assert pos[rule_id] >= 10, f"{rule_id}: only {pos[rule_id]} positive cases"
    assert neg[rule_id] >= 10, f"{rule_id}: only {neg[rule_id]} negative cases"


def test_whole_testdata_has_no_cross_rule_noise() -> None:
    """All rules on all fixtures at once: one rule's fixture must not trip another rule."""
    report = run_fixtures([str(ROOT / "testdata")], RULES, Options(jobs=1))
    assert report.passed, render(report)


def test_annotations_parse_next_code_line(tmp_path: Path) -> None:
    f = tmp_path / "a.go"
    f.write_text("package a\n// ruleid: x, y\n\n// ok: z\nfunc f() {}\n")
    exp, ok = read_annotations(str(f))
    assert exp == {5: {"x", "y"}}
    assert ok == {5: {"z"}}


def test_missing_and_unexpected_are_reported(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.21\n")
    (tmp_path / "a.go").write_text(
        'package a\n\nimport "time"\n\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n'
        "\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n\n// ruleid: time-after-in-loop\nfunc g() {}\n"
    )
    report = run_fixtures([str(tmp_path)], RULES, Options(jobs=1))
    assert not report.passed
    assert [(line, rid) for _, line, rid in report.missing] == [(15, "time-after-in-loop")]
    assert [(f.line, f.rule_id) for f in report.unexpected] == [(9, "time-after-in-loop")]
