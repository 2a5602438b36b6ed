"""CI formats (issue #16 items 5, 7, 10, 11): GitLab Code Quality and checkstyle output, `--output`
prefixes, unused suppressions and files not fully checked in every machine format, SARIF within
GitHub's limits with repository-relative URIs, byte columns, and the terminal excerpt/colour."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the checkout (CI) or beside the worktrees' parent (a helper's worktree)
SARIF_SCHEMA = next(
    (p for p in (d / "shared" / "schemas" / "sarif-schema-2.1.0.json" for d in (ROOT.parent, ROOT.parent.parent)) if p.is_file()),
    ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json",
)
MACHINE = ["json", "sarif", "github", "junit", "checkstyle", "code-climate"]

TIMER = 'package p\n\nimport "time"\n\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n'
# suppressions: one of a rule that runs and has nothing to hide, one of another rule, a blanket one
SUPPRESSED = (
    'package p\n\nimport "time"\n\n//goplumber:ignore unclosed-client closed by the pool\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n'
    "\t\tcase <-in:\n\t\tcase <-time.After(time.Second): //nolint:time-after-in-loop\n\t\t}\n\t}\n}\n\n"
    "func g(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second): //goplumber:ignore time-after-in-loop\n"
    "\t\t}\n\t}\n}\n\n//goplumber:ignore\nvar x = 1\n\n//goplumber:ignore time-after-in-loop nothing here\nvar y = 2\n"
)


def run(*args: str, cwd: Path | str = ROOT, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    p = subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def every_format(cwd: Path, *args: str) -> tuple[int, dict[str, str]]:
    """One run writing every format: JSON on stdout, the others through `--output FORMAT:FILE`."""
    out_dir = cwd.parent / f"{cwd.name}-reports"
    out_dir.mkdir(exist_ok=True)
    others = [f for f in MACHINE + ["text"] if f != "json"]
    flags = [x for f in others for x in ("--output", f"{f}:{out_dir / f}")]
    code, out, err = run("check", "--no-cache", "--format", "json", *flags, *args, cwd=cwd)
    assert "Traceback" not in err, err
    return code, {"json": out, **{f: (out_dir / f).read_text(encoding="utf-8") for f in others}}


def schema_valid(doc: object) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"official SARIF schema not found at {SARIF_SCHEMA}")
    jsonschema.validate(doc, json.loads(SARIF_SCHEMA.read_text()))


# -- code-climate and checkstyle -------------------------------------------------------------------


def check_code_climate(issues: object) -> None:
    """The fields GitLab Code Quality requires, with their types."""
    assert isinstance(issues, list)
    for i in issues:
        assert isinstance(i["description"], str) and i["description"]
        assert isinstance(i["check_name"], str) and i["check_name"]
        assert re.fullmatch(r"[0-9a-f]{32}", i["fingerprint"])
        assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(i["location"]["path"], str) and not i["location"]["path"].startswith("/")
        assert isinstance(i["location"]["lines"]["begin"], int) and i["location"]["lines"]["begin"] >= 1
        assert i["type"] == "issue" and isinstance(i["categories"], list)
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_code_climate_findings() -> None:
    code, out, _ = run("check", "--format", "code-climate", "examples/leaky")
    assert code == 1
    issues = json.loads(out)
    check_code_climate(issues)
    assert len(issues) == 5
    assert {i["location"]["path"] for i in issues} == {"examples/leaky/main.go"}
    sev = {i["check_name"]: i["severity"] for i in issues}
    assert sev["unclosed-client"] == "critical" and sev["unbounded-label"] == "major"
    _, js, _ = run("check", "--format", "json", "examples/leaky")
    assert sorted(i["fingerprint"] for i in issues) == sorted(f["fingerprint"] for f in json.loads(js)["findings"])


def test_checkstyle_findings() -> None:
    code, out, _ = run("check", "--format", "checkstyle", "examples/leaky")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "checkstyle"
    files = root.findall("file")
    assert [f.get("name") for f in files] == ["examples/leaky/main.go"]
    errors = files[0].findall("error")
    assert len(errors) == 5
    for e in errors:
        assert int(e.get("line", "0")) >= 1 and int(e.get("column", "0")) >= 1
        assert e.get("severity") in ("error", "warning", "info") and e.get("message")
        assert (e.get("source") or "").startswith("goplumber.")
    assert {e.get("source") for e in errors} >= {"goplumber.unclosed-client", "goplumber.time-after-in-loop"}


def test_output_prefixes(tmp_path: Path) -> None:
    code, _, err = run("check", "--output", "xml:foo.xml", str(ROOT / "examples/leaky"), cwd=tmp_path)
    assert code == 2 and "unknown format 'xml'" in err and "text:" in err
    assert list(tmp_path.iterdir()) == []
    gl, cs, colon = tmp_path / "gl.json", tmp_path / "cs.xml", tmp_path / "a:b.txt"
    code, out, _ = run(
        "check", "--output", f"code-climate:{gl}", "--output", f"checkstyle:{cs}", "--output", f"text:{colon}", str(ROOT / "examples/leaky")
    )
    assert code == 1 and out.splitlines()[-1].startswith("5 findings")
    check_code_climate(json.loads(gl.read_text()))
    assert ET.fromstring(cs.read_text()).tag == "checkstyle"
    assert colon.read_text() == out
    assert run("check", "--output", "sarif:", "examples/leaky")[0] == 2


# -- unused suppressions ---------------------------------------------------------------------------


@pytest.fixture
def suppressed(tmp_path: Path) -> Path:
    (tmp_path / "s.go").write_text(SUPPRESSED)
    return tmp_path


UNUSED_ALL = {5, 24, 27}  # lines 10 and 19 hide the findings of f and g
UNUSED_SELECTED = {27}  # --select time-after-in-loop: 5 names a rule that did not run, 24 is blanket


def unused_lines(fmt: str, out: str) -> set[int]:
    if fmt == "json":
        return {u["line"] for u in json.loads(out)["unused_ignores"]}
    if fmt == "sarif":
        doc = json.loads(out)
        schema_valid(doc)
        res = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "unused-suppression"]
        assert all(doc["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == "unused-suppression" for r in res)
        return {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in res}
    if fmt == "github":
        pat = re.compile(r"^::warning file=s\.go,line=(\d+),title=goplumber unused-suppression::unused suppression: //")
        return {int(m.group(1)) for m in map(pat.match, out.splitlines()) if m}
    if fmt == "junit":
        cases = ET.fromstring(out).iter("testcase")
        return {
            int(c.get("line", "0")) for c in cases if c.get("classname") == "goplumber.unused-suppression" and c.find("failure") is not None
        }
    if fmt == "checkstyle":
        return {int(e.get("line", "0")) for e in ET.fromstring(out).iter("error") if e.get("source") == "goplumber.unused-suppression"}
    issues = json.loads(out)
    check_code_climate(issues)
    return {i["location"]["lines"]["begin"] for i in issues if i["check_name"] == "unused-suppression"}


def test_unused_suppressions_in_every_machine_format(suppressed: Path) -> None:
    code, outs = every_format(suppressed, "--report-unused-ignores", "s.go")
    assert code == 1
    for fmt in MACHINE:
        assert unused_lines(fmt, outs[fmt]) == UNUSED_ALL, fmt
    code, outs = every_format(suppressed, "--report-unused-ignores", "--select", "time-after-in-loop", "s.go")
    assert code == 1
    for fmt in MACHINE:
        assert unused_lines(fmt, outs[fmt]) == UNUSED_SELECTED, fmt
    code, outs = every_format(suppressed, "s.go")
    assert code == 0
    for fmt in MACHINE:
        assert unused_lines(fmt, outs[fmt]) == set(), fmt  # only when asked for


def test_unused_suppressions_on_stderr_only_for_rules_that_ran(suppressed: Path) -> None:
    _, _, err = run("check", "--no-cache", "--report-unused-ignores", "--select", "unbounded-label", "s.go", cwd=suppressed)
    assert "unused suppression" not in err  # every suppression names a rule that did not run, or all of them
    _, _, err = run("check", "--no-cache", "--report-unused-ignores", "--select", "time-after-in-loop", "s.go", cwd=suppressed)
    assert sorted(int(x.split(":")[1]) for x in err.splitlines() if "unused suppression" in x) == sorted(UNUSED_SELECTED)


# -- files not fully checked -----------------------------------------------------------------------


BIG_NOTE = "skipped: file is 10000001 bytes (limit 10000000)"  # analysis incomplete (exit 3)
BIN_NOTE = "skipped: binary file (contains NUL bytes)"  # a note once binary files are notes


@pytest.fixture(scope="module")
def incomplete(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    d = tmp_path_factory.mktemp("incomplete")
    (d / "a.go").write_text(TIMER)
    with open(d / "big.go", "wb") as fh:  # sparse: nothing is written
        fh.truncate(10_000_001)
    (d / "bin.go").write_bytes(b"package p\x00\n")
    code, outs = every_format(d, ".")
    assert code in (1, 3)  # 3: analysis incomplete, where the exit code says so
    return outs


def bin_is_incomplete() -> bool:
    from linter.formatter import incomplete
    from linter.model import FileError

    return incomplete(FileError("bin.go", BIN_NOTE))


@pytest.mark.parametrize("fmt", MACHINE + ["text"])
def test_incomplete_files_in_every_format(incomplete: dict[str, str], fmt: str) -> None:
    """big.go could not be checked (too large): a failure of the run in every format; bin.go
    is listed too, as a failure or as a note according to its kind."""
    out = incomplete[fmt]
    full = bin_is_incomplete()
    if fmt == "text":
        assert "big.go: note: " + BIG_NOTE in out.splitlines() and "bin.go: note: " + BIN_NOTE in out.splitlines()
    elif fmt == "json":
        assert sorted((e["path"], e["message"]) for e in json.loads(out)["errors"]) == [("big.go", BIG_NOTE), ("bin.go", BIN_NOTE)]
    elif fmt == "sarif":
        doc = json.loads(out)
        schema_valid(doc)
        inv = doc["runs"][0]["invocations"][0]
        assert inv["executionSuccessful"] is False
        got = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in inv["toolExecutionNotifications"]}
        assert set(got) == {"big.go", "bin.go"}
        assert BIG_NOTE in got["big.go"]["message"]["text"] and got["big.go"]["level"] == "error"
        assert BIN_NOTE in got["bin.go"]["message"]["text"] and got["bin.go"]["level"] == ("error" if full else "note")
    elif fmt == "github":
        lines = out.splitlines()
        assert f"::warning file=big.go,title=goplumber%3A not fully checked::{BIG_NOTE}" in lines
        assert (
            f"::warning file=bin.go,title=goplumber%3A not fully checked::{BIN_NOTE}"
            if full
            else f"::notice file=bin.go,title=goplumber::{BIN_NOTE}"
        ) in lines
    elif fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite is not None and suite.get("errors") == ("2" if full else "1") and suite.get("skipped") == ("0" if full else "1")
        cases = {c.get("file"): c for c in suite.iter("testcase") if c.get("file") in ("big.go", "bin.go")}
        assert BIG_NOTE in (cases["big.go"].find("error").get("message") or "")  # type: ignore[union-attr]
        assert BIN_NOTE in (cases["bin.go"].find("error" if full else "skipped").get("message") or "")  # type: ignore[union-attr]
    elif fmt == "checkstyle":
        got = {f.get("name"): f.find("error") for f in ET.fromstring(out).iter("file")}
        big, bin_ = got["big.go"], got["bin.go"]
        assert big is not None and bin_ is not None
        assert BIG_NOTE in (big.get("message") or "") and (big.get("severity"), big.get("source")) == (
            "error",
            "goplumber.analysis-incomplete",
        )
        assert BIN_NOTE in (bin_.get("message") or "")
        assert (bin_.get("severity"), bin_.get("source")) == (
            ("error", "goplumber.analysis-incomplete") if full else ("info", "goplumber.note")
        )
    else:
        issues = json.loads(out)
        check_code_climate(issues)
        got = {i["location"]["path"]: i for i in issues if i["check_name"] != "time-after-in-loop"}
        assert (got["big.go"]["check_name"], got["big.go"]["severity"]) == ("analysis-incomplete", "major")
        assert BIG_NOTE in got["big.go"]["description"] and BIN_NOTE in got["bin.go"]["description"]
        assert (got["bin.go"]["check_name"], got["bin.go"]["severity"]) == (
            ("analysis-incomplete", "major") if full else ("file-note", "info")
        )


def test_sarif_clean_run_is_successful(tmp_path: Path) -> None:
    (tmp_path / "a.go").write_text(TIMER)
    doc = json.loads(run("check", "--no-cache", "--format", "sarif", ".", cwd=tmp_path)[1])
    assert doc["runs"][0]["invocations"] == [{"executionSuccessful": True}]


# -- SARIF for GitHub code scanning ----------------------------------------------------------------


def test_sarif_descriptions_within_github_limits() -> None:
    code, out, _ = run("check", "--format", "sarif", "examples/leaky")
    doc = json.loads(out)
    schema_valid(doc)
    from linter.engine import Options, prepare_rules

    full = {r.id: r.description for r in prepare_rules(Options())}
    for r in doc["runs"][0]["tool"]["driver"]["rules"]:
        assert 0 < len(r["shortDescription"]["text"]) <= 1024 and 0 < len(r["fullDescription"]["text"]) <= 1024
        assert r["help"]["text"].split() == full[r["id"]].split()  # the whole text
    assert max(len(d) for d in full.values()) > 1024  # what the limit is about


def test_sarif_uris_relative_to_repository_root_for_an_absolute_path(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "pkg" / "a.go").write_text(TIMER)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for target, cwd in (
        (str(repo / "pkg"), elsewhere),
        (str(repo / "pkg" / "a.go"), elsewhere),
        ("../repo/pkg", elsewhere),
        (".", repo / "pkg"),
    ):
        code, out, _ = run("check", "--no-cache", "--format", "sarif", target, cwd=cwd)
        assert code == 1
        doc = json.loads(out)
        schema_valid(doc)
        run_ = doc["runs"][0]
        (loc,) = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run_["results"]]
        assert loc == {"uri": "pkg/a.go", "uriBaseId": "%SRCROOT%"}, target
        assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"


# -- columns ---------------------------------------------------------------------------------------

WIDE = TIMER.replace("\t\tcase <-time.After", "\t\t/* h\u00e9 \u65e5\u672c */ case <-time.After")


def test_columns_are_bytes_and_sarif_declares_code_points(tmp_path: Path) -> None:
    (tmp_path / "w.go").write_text(WIDE, encoding="utf-8")
    line = WIDE.splitlines()[8]
    byte_col = line.encode().index(b"time.After") + 1
    char_col = line.index("time.After") + 1
    assert byte_col != char_col
    _, outs = every_format(tmp_path, ".")
    (f,) = json.loads(outs["json"])["findings"]
    assert (f["line"], f["column"]) == (9, byte_col)
    assert outs["text"].startswith(f"w.go:9:{byte_col}: ")
    assert f",col={byte_col}," in outs["github"]
    assert ET.fromstring(outs["checkstyle"]).find("file/error").get("column") == str(byte_col)  # type: ignore[union-attr]
    run_ = json.loads(outs["sarif"])["runs"][0]
    region = run_["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert run_["columnKind"] == "unicodeCodePoints"
    assert region["startColumn"] == char_col and region["endColumn"] == line.index("time.Second)") + len("time.Second)") + 1


# -- terminal --------------------------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run_tty(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run with stdout on a pseudo-terminal; return what it printed (CRLF as LF)."""
    pty = pytest.importorskip("pty")
    master, slave = pty.openpty()
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    p = subprocess.Popen([sys.executable, "-m", "linter", *args], cwd=cwd, env=full, stdout=slave, stderr=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    p.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_terminal_excerpt_caret_and_colour(tmp_path: Path) -> None:
    (tmp_path / "w.go").write_text(WIDE, encoding="utf-8")
    clean = {"NO_COLOR": "", "CI": "1"}
    out = run_tty(["check", "--no-cache", "."], tmp_path, clean)
    assert "\x1b[" in out  # colour on a terminal
    plain = ANSI.sub("", out).splitlines()
    first = next(i for i, x in enumerate(plain) if x.startswith("w.go:9:"))
    source, caret = plain[first + 1], plain[first + 2]
    assert source.endswith("/* h\u00e9 \u65e5\u672c */ case <-time.After(time.Second):") and source.lstrip().startswith("9 |")
    # the caret sits under `time.After` as the terminal shows it (the two CJK characters are two cells wide)
    shown = source.index("time.After") + 2  # + the two double-width cells
    assert caret.index("^") == shown and caret.count("~") == len("time.After(time.Second)") - 1
    assert "\x1b[" not in run_tty(["check", "--no-cache", "."], tmp_path, {**clean, "NO_COLOR": "1"})
    assert "\x1b[" not in run_tty(["check", "--no-cache", "--color", "never", "."], tmp_path, clean)


def test_pipes_get_plain_lines_and_color_always_colours(tmp_path: Path) -> None:
    (tmp_path / "w.go").write_text(WIDE, encoding="utf-8")
    _, out, _ = run("check", "--no-cache", ".", cwd=tmp_path)
    assert "\x1b[" not in out and len(out.splitlines()) == 2  # the finding and the summary
    _, out, _ = run("check", "--no-cache", "--color", "always", ".", cwd=tmp_path)
    assert "\x1b[" in out and len(out.splitlines()) == 2  # colour, but no excerpt off a terminal
    timing = re.compile(r"\(\d+\.\d+s\)")
    assert timing.sub("", ANSI.sub("", out)) == timing.sub("", run("check", "--no-cache", ".", cwd=tmp_path)[1])


def test_excerpt_of_a_long_line_is_a_window_around_the_column(tmp_path: Path) -> None:
    from linter.engine import Result
    from linter.formatter.text import TextStyle, render
    from linter.model import Finding

    line = "x := " + "\u00e9" * 5000 + " time.After(d) " + "y" * 5000
    (tmp_path / "long.go").write_text(f"package p\n\nfunc f() {{\n{line}\n}}\n", encoding="utf-8")
    col = line.encode().index(b"time.After") + 1
    f = Finding(str(tmp_path / "long.go"), 4, col, 4, col + len("time.After(d)"), "r", "error", "m")
    out = render(Result(findings=[f]), [], TextStyle(excerpt=True)).splitlines()
    source, caret = out[1], out[2]
    assert len(source) < 300 and source.startswith("    4 | ...") and source.endswith("...")
    assert caret.index("^") == source.index("time.After") and caret.split("|", 1)[1].strip() == "^" + "~" * (len("time.After(d)") - 1)
