"""CI and pre-commit gates: formats parsed back, fingerprints, baseline, diff-aware runs on real
temporary git repositories, config, suppression hygiene, --fail-on."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from samples import FIXED, LEAKY, ROOT

SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

TIMER = """
func wait(in chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Minute):
		}
	}
}
"""


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.21\n")
    (tmp_path / "svc.go").write_text(LEAKY)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "initial")
    return tmp_path


# -- formats -------------------------------------------------------------------------------------


def test_sarif_is_valid_and_complete(run_cli) -> None:
    code, out, _ = run_cli("check", "--format", "sarif", "examples/leaky")
    assert code == 1
    doc = json.loads(out)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))
    else:
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA}")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "goplumber" and driver["version"] and driver["informationUri"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids) and len(ids) == 9
    for r in driver["rules"]:
        assert r["shortDescription"]["text"] and r["fullDescription"]["text"]
        assert r["help"]["text"] and r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert r["properties"]["tags"] and r["properties"]["precision"]
    assert len(run["results"]) == 5
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "examples/leaky/main.go"
        assert re.fullmatch(r"[0-9a-f]{32}", res["partialFingerprints"]["goplumber/v1"])


def test_github_annotations_and_summary(tmp_path: Path, run_cli, monkeypatch) -> None:
    summary = tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "PYTHONPATH": str(ROOT)}
    p = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--format", "github", "examples/leaky"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert p.returncode == 1
    lines = p.stdout.splitlines()
    assert len(lines) == 5
    pat = re.compile(r"^::(error|warning|notice) file=([^,]+),line=(\d+),endLine=(\d+),col=(\d+),endColumn=(\d+),title=([^:]+)::(.+)$")
    parsed = [pat.match(line) for line in lines]
    assert all(parsed), lines
    assert {m.group(7) for m in parsed if m} == {
        f"goplumber {r}" for r in ("unclosed-client", "time-after-in-loop", "repeated-watch", "subslice-retained", "unbounded-label")
    }
    text = summary.read_text()
    table, _, fixes = text.partition("### Suggested fixes")
    assert "## goplumber: 5 leak findings" in table and table.count("examples/leaky/main.go:") == 5
    assert fixes.count("examples/leaky/main.go:") == 3  # the fixable ones, again, with their diffs


def test_github_escaping() -> None:
    from linter.formatter.github import escape_data, escape_property

    assert escape_data("50%\nnext\r") == "50%25%0Anext%0D"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_junit(run_cli) -> None:
    code, out, _ = run_cli("check", "--format", "junit", "examples/leaky")
    assert code == 1
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "5" and suite.get("tests") == "9"
    code, out, _ = run_cli(
        "check", "--format", "junit", "--no-default-excludes", "testdata/unclosed-client/owned.go", "--select", "unclosed-client"
    )
    suite = ET.fromstring(out).find("testsuite")
    assert code == 0 and suite is not None and suite.get("failures") == "0" and suite.get("tests") == "1"


def test_output_file_keeps_text_on_terminal(tmp_path: Path, run_cli) -> None:
    target = tmp_path / "report.sarif"
    code, out, _ = run_cli("check", "--format", "sarif", "--output", str(target), "examples/leaky")
    assert code == 1
    assert out.splitlines()[-1].startswith("5 findings")
    assert json.loads(target.read_text())["version"] == "2.1.0"
    extra = tmp_path / "r.xml"
    code, out, _ = run_cli("check", "--format", "github", "--output", f"junit:{extra}", "examples/leaky")
    assert out.startswith("::") and ET.fromstring(extra.read_text()).tag == "testsuites"


# -- fingerprints --------------------------------------------------------------------------------


def _fingerprints(run_cli, path: Path) -> list[str]:
    code, out, _ = run_cli("check", "--format", "json", str(path))
    return [f["fingerprint"] for f in json.loads(out)["findings"]]


def test_fingerprints_survive_moves_and_whitespace(tmp_path: Path, run_cli) -> None:
    f = tmp_path / "svc.go"
    f.write_text(LEAKY)
    before = _fingerprints(run_cli, f)
    f.write_text(LEAKY.replace("func handler", "// a comment\n\n\nfunc handler").replace("client, err :=", "client,   err  :="))
    assert _fingerprints(run_cli, f) == before


def test_identical_statements_get_distinct_fingerprints(tmp_path: Path, run_cli) -> None:
    f = tmp_path / "t.go"
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.21\n")
    f.write_text('package t\n\nimport "time"\n' + TIMER + TIMER.replace("func wait", "func wait2"))
    fps = _fingerprints(run_cli, f)
    assert len(fps) == 2 and len(set(fps)) == 2


# -- baseline ------------------------------------------------------------------------------------


def test_baseline_reports_only_new(repo: Path, run_cli) -> None:
    base = repo / ".goplumber-baseline.json"
    code, _, err = run_cli("check", "--write-baseline", str(base), str(repo))
    assert code == 0 and "wrote 1 finding" in err  # a set-up step succeeds (test_gate_exit.py)
    code, out, err = run_cli("check", "--baseline", str(base), str(repo))
    assert code == 0, out
    assert "1 finding(s) in the baseline, 0 baseline entries no longer occur" in err
    # move the old leak down and add a new one: only the new one is reported
    (repo / "svc.go").write_text(
        LEAKY.replace("func handler", "// moved\nfunc handler") + TIMER.replace("func wait", "func wait3") + "\nvar _ = time.Now\n"
    )
    (repo / "svc.go").write_text((repo / "svc.go").read_text().replace("import (\n", 'import (\n\t"time"\n'))
    code, out, err = run_cli("check", "--format", "json", "--baseline", str(base), str(repo))
    assert code == 1
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["time-after-in-loop"]
    # fix the old leak: its baseline entry is reported as stale
    (repo / "svc.go").write_text(FIXED)
    code, out, err = run_cli("check", "--baseline", str(base), str(repo))
    assert code == 0 and "0 finding(s) in the baseline, 1 baseline entry no longer occur" in err


def test_bad_baseline_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    b = tmp_path / "b.json"
    b.write_text("{not json")
    code, _, err = run_cli("check", "--baseline", str(b), "examples/leaky")
    assert code == 2 and "not valid JSON" in err


# -- diff-aware ----------------------------------------------------------------------------------


def test_new_from_rev(repo: Path, run_cli) -> None:
    (repo / "timer.go").write_text('package svc\n\nimport "time"\n' + TIMER)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "timer")
    # nothing changed since HEAD: nothing reported
    code, out, _ = run_cli("check", "--new-from-rev", "HEAD", ".", cwd=repo)
    assert code == 0, out
    # since the first commit, only the timer file changed
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    code, out, _ = run_cli("check", "--format", "json", "--new-from-rev", first, ".", cwd=repo)
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["time-after-in-loop"]
    # an uncommitted edit inside the old leak's statement makes it new
    (repo / "svc.go").write_text(LEAKY.replace("secretmanager.NewClient(r.Context())", "secretmanager.NewClient(\n\t\tr.Context(),\n\t)"))
    code, out, _ = run_cli("check", "--format", "json", "--new-from-rev", "HEAD", ".", cwd=repo)
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["unclosed-client"]
    code, _, err = run_cli("check", "--new-from-rev", "no-such-rev", ".", cwd=repo)
    assert code == 2 and "git could not diff" in err


def test_new_from_patch(repo: Path, run_cli) -> None:
    (repo / "svc.go").write_text(LEAKY + TIMER.replace("func wait", "func wait4"))
    (repo / "svc.go").write_text((repo / "svc.go").read_text().replace("import (\n", 'import (\n\t"time"\n'))
    patch = git(repo, "diff")
    (repo / "change.diff").write_text(patch)
    code, out, _ = run_cli("check", "--format", "json", "--new-from-patch", "change.diff", ".", cwd=repo)
    assert code == 1
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["time-after-in-loop"]


# -- config --------------------------------------------------------------------------------------


def test_config_file(repo: Path, run_cli) -> None:
    (repo / "gen").mkdir()
    (repo / "gen" / "x.go").write_text('package gen\n\nimport "time"\n' + TIMER)
    (repo / "kafka.go").write_text(
        'package svc\n\nimport "github.com/segmentio/kafka-go"\n\nfunc read(brokers []string) {\n'
        "\tr := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers})\n\t_ = r\n}\n"
    )
    (repo / ".goplumber.yaml").write_text(
        "severity:\n  unclosed-client: warning\nexclude: ['gen/*']\n"
        "parameters:\n  unclosed-client:\n    lifetime:\n      resources:\n"
        "        - {callee: '^kafka\\.NewReader$', release: [Close]}\n"
    )
    code, out, _ = run_cli("check", "--format", "json", ".", cwd=repo)
    found = {(Path(f["path"]).name, f["rule_id"], f["severity"]) for f in json.loads(out)["findings"]}
    assert found == {("svc.go", "unclosed-client", "warning"), ("kafka.go", "unclosed-client", "warning")}
    # command-line flags win over the file
    code, out, _ = run_cli("check", "--format", "json", "--no-config", ".", cwd=repo)
    assert {Path(f["path"]).name for f in json.loads(out)["findings"]} == {"svc.go", "x.go"}
    assert run_cli("check", "--fail-on", "error", ".", cwd=repo)[0] == 0
    (repo / ".goplumber.yaml").write_text("rules:\n  disable: [unclosed-client]\nexclude: ['gen/*']\n")
    assert run_cli("check", ".", cwd=repo)[0] == 0


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("colour: red\n", 1, "unknown key 'colour'"),
        ("severity:\n  unclosed-client: fatal\n", 2, "severity.unclosed-client"),
        ("severity:\n  no-such-rule: error\n", 2, "unknown rule 'no-such-rule'"),
        ("rules:\n  disable: [nope]\n", 2, "unknown rule 'nope'"),
        ("parameters:\n  unclosed-client:\n    lifetime:\n      bogus: 1\n", 3, "unknown parameter 'bogus'"),
        ("parameters:\n  unclosed-client:\n    taint: {}\n", 3, "has no check 'taint'"),
        ("go-version: soon\n", 1, "not a Go version"),
        ("rules: [\n", 2, "YAML syntax error"),
    ],
)
def test_config_errors(tmp_path: Path, run_cli, text: str, line: int, fragment: str) -> None:
    (tmp_path / ".goplumber.yaml").write_text(text)
    (tmp_path / "a.go").write_text("package a\n")
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    assert code == 2 and out == ""
    m = re.match(r"^\.goplumber\.yaml:(\d+): (.*)$", err.strip())
    assert m, err
    assert int(m.group(1)) == line and fragment in m.group(2), err


# -- suppression hygiene and fail-on -------------------------------------------------------------


def test_report_unused_ignores(tmp_path: Path, run_cli) -> None:
    (tmp_path / "a.go").write_text(
        "package a\n\n//goplumber:ignore unclosed-client not needed any more\nfunc f() {}\n\n//nolint:errcheck\nfunc g() {}\n"
    )
    code, out, err = run_cli("check", "--report-unused-ignores", str(tmp_path))
    assert code == 1
    assert re.search(r"a\.go:3: unused suppression: //goplumber:ignore unclosed-client", err)
    assert "errcheck" not in err
    assert run_cli("check", str(tmp_path))[0] == 0


def test_fail_on(tmp_path: Path, run_cli) -> None:
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.23\n")
    (tmp_path / "t.go").write_text('package t\n\nimport "time"\n' + TIMER)  # an info hint at Go 1.23 with --hints
    assert run_cli("check", str(tmp_path))[0] == 0  # no hints asked for: nothing to report
    assert run_cli("check", "--hints", str(tmp_path))[0] == 1
    assert run_cli("check", "--hints", "--fail-on", "warning", str(tmp_path))[0] == 0
    assert run_cli("check", "--hints", "--fail-on", "info", str(tmp_path))[0] == 1


# -- pre-commit, end to end ----------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pre-commit") is None and shutil.which("git") is None, reason="needs pre-commit and git")
def test_pre_commit_hook_end_to_end(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("the pre-commit package is not installed (pip install '.[dev]')")
    if subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip():
        # try-repo snapshots uncommitted changes itself; nothing to do
        pass
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "svc.go").write_text(LEAKY)
    git(work, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit, "try-repo", str(ROOT), "goplumber", "--files", "svc.go"],
            cwd=work,
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )

    p = run()
    assert p.returncode == 1, p.stdout + p.stderr
    assert "unclosed-client" in p.stdout
    (work / "svc.go").write_text(FIXED)
    git(work, "add", "-A")
    p = run()
    assert p.returncode == 0, p.stdout + p.stderr
