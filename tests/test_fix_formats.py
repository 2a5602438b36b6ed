"""Fixes in the machine formats: JSON findings' `fix` object, SARIF `fixes` (valid against the
official 2.1.0 schema, columns in code points), and the GitHub step summary's suggested fixes.
Each format's edits, applied by their own coordinates, give what `check --fix` gives."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from linter.engine import Result
from linter.fix.apply import fix_source
from linter.formatter import github

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = next(
    (p for p in (d / "shared" / "schemas" / "sarif-schema-2.1.0.json" for d in (ROOT.parent, ROOT.parent.parent)) if p.is_file()),
    ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json",
)

# a fixable timer, a fixable store after a non-ASCII string on its line (byte and code-point
# columns differ), a store with no fix (the type of raw is unknown), and a comment with a code
# fence on a line a fix changes
SOURCE = """package p

import (
	"sync"
	"time"
)

var cache sync.Map

type Req struct {
	ID  string
	Msg []byte
}

func consume(in <-chan int, d time.Duration) {
	for {
		select {
		case <-in:
		case <-time.After(d):
			return
		}
	}
}

func keep(r *Req) {
	cache.Store("\u00e9t\u00e9"+r.ID, r.Msg[:8]) // ```not a fence```
}

func other(id string, v interface{ Raw() []byte }) {
	raw := v.Raw()
	cache.Store(id, raw[:8])
}
"""


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    p = subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    d = tmp_path / "repo"
    d.mkdir()
    (d / ".git").mkdir()
    (d / "go.mod").write_text("module example.com/p\n\ngo 1.21\n")
    (d / "a.go").write_text(SOURCE)
    return d


def expected(repo: Path) -> str:
    """What `check --fix` makes of a.go, from the findings' fixes (the engine's own objects)."""
    from linter.engine import Options, check_paths
    from linter.loader import load_rules

    res = check_paths([str(repo)], load_rules([]), Options(jobs=1))
    fixes = [f.fix for f in res.findings if f.fix is not None]
    assert len(fixes) == 2
    return fix_source((repo / "a.go").read_bytes(), fixes).data.decode()


def apply_by_position(text: str, edits: list[tuple[int, int, int, int, str]], unit: str) -> str:
    """Apply (line, column, end line, end column, text) edits, 1-based, end exclusive; columns
    in UTF-8 bytes or in code points."""
    lines = text.split("\n")

    def offset(line: int, column: int) -> int:
        before = sum(len(x) + 1 for x in lines[: line - 1])
        row = lines[line - 1] if line <= len(lines) else ""
        if unit == "bytes":
            return before + len(row.encode()[: column - 1].decode())
        return before + column - 1

    for sl, sc, el, ec, new in sorted(edits, reverse=True):
        a, b = offset(sl, sc), offset(el, ec)
        text = text[:a] + new + text[b:]
    return text


def test_json_findings_carry_their_fix(repo: Path) -> None:
    code, out, err = run("check", "--no-cache", "--format", "json", ".", cwd=repo)
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert all("fix" in f for f in findings)
    fixable = [f for f in findings if f["fix"] is not None]
    assert [f["rule_id"] for f in fixable] == ["time-after-in-loop", "subslice-retained"]
    assert [f["line"] for f in findings if f["fix"] is None] == [31]
    timer = fixable[0]["fix"]
    assert timer["strategy"] == "hoist-timer" and timer["description"].startswith(
        "create one timer before the loop (timer := time.NewTimer(d)"
    )
    assert timer["edits"][-1] == {"start_line": 19, "start_column": 10, "end_line": 19, "end_column": 23, "text": "timer.C"}
    clone = fixable[1]["fix"]
    store = next(e for e in clone["edits"] if e["text"].startswith("bytes.Clone"))
    # the byte column counts each é as two
    assert store == {"start_line": 26, "start_column": 28, "end_line": 26, "end_column": 37, "text": "bytes.Clone(r.Msg[:8])"}
    edits = [(e["start_line"], e["start_column"], e["end_line"], e["end_column"], e["text"]) for f in fixable for e in f["fix"]["edits"]]
    assert apply_by_position(SOURCE, edits, "bytes") == expected(repo)


def test_sarif_results_carry_fixes_valid_against_the_schema(repo: Path) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA}")
    code, out, err = run("check", "--no-cache", "--format", "sarif", ".", cwd=repo)
    assert code == 1, err
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    results = doc["runs"][0]["results"]
    with_fixes = [r for r in results if "fixes" in r]
    assert [r["ruleId"] for r in with_fixes] == ["time-after-in-loop", "subslice-retained"]
    assert len(results) == 3
    edits = []
    for r in with_fixes:
        (fix,) = r["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert fix["description"]["text"]
        for rep in change["replacements"]:
            reg = rep["deletedRegion"]
            edits.append(
                (reg["startLine"], reg["startColumn"], reg["endLine"], reg["endColumn"], rep.get("insertedContent", {}).get("text", ""))
            )
    # code points: each é is one column
    assert (26, 26, 26, 35, "bytes.Clone(r.Msg[:8])") in edits
    assert apply_by_position(SOURCE, edits, "code points") == expected(repo)


def test_github_step_summary_suggests_the_fixes(repo: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    code, out, err = run("check", "--no-cache", "--format", "github", ".", cwd=repo, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert code == 1, err
    md = summary.read_text()
    section = md[md.index("### Suggested fixes") :]
    assert section.startswith("### Suggested fixes (2; `goplumber check --fix` applies them)")
    assert "`a.go:19` `time-after-in-loop`: create one timer before the loop" in section
    assert "+\ttimer := time.NewTimer(d)\n+\tdefer timer.Stop()\n \tfor {\n" in section
    # a line holding ``` is inside a longer fence, so it cannot close the block
    assert "````diff\n" in section and '+\tcache.Store("\u00e9t\u00e9"+r.ID, bytes.Clone(r.Msg[:8])) // ```not a fence```\n' in section
    assert "`a.go:31`" not in section  # no fix, no suggestion (still in the table above)
    assert "`a.go:31`" in md


def test_github_summary_caps_the_suggestions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.engine import Options, check_paths
    from linter.loader import load_rules

    monkeypatch.chdir(repo)
    res = check_paths(["a.go"], load_rules([]), Options(jobs=1, default_excludes=False))
    fixable = [f for f in res.findings if f.fix is not None]
    many = [dataclasses.replace(fixable[i % 2], line=100 + i) for i in range(github.MAX_SUGGESTIONS + 3)]
    md = github.summary_markdown(Result(findings=many))
    assert md.count("```diff\n") == github.MAX_SUGGESTIONS
    assert "... and 3 more (`goplumber check --diff` shows them all)" in md


def test_formats_without_fixes_are_unchanged(repo: Path) -> None:
    """A finding its rule cannot fix: `fix` is null in JSON, no `fixes` in SARIF."""
    (repo / "a.go").write_text(
        SOURCE.split("func consume")[0]
        + "func other(id string, v interface{ Raw() []byte }) {\n\traw := v.Raw()\n\tcache.Store(id, raw[:8])\n}\n"
    )
    _, out, _ = run("check", "--no-cache", "--format", "json", ".", cwd=repo)
    assert [f["fix"] for f in json.loads(out)["findings"]] == [None]
    _, out, _ = run("check", "--no-cache", "--format", "sarif", ".", cwd=repo)
    assert ["fixes" in r for r in json.loads(out)["runs"][0]["results"]] == [False]
