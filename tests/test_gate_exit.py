"""`goplumber check` as a gate: exit codes 0/1/2/3/130, one-line errors, --write-baseline,
merge-base diff gating, --new-from-patch validation, stdin input, the README's rule example."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from samples import FIXED, LEAKY, ROOT, WATCH_IN_HELPER

from linter import cli, engine
from linter.diffscope import changed_lines_from_patch
from linter.model import FileError

TIMER = """package svc

import "time"

func wait(in chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Minute):
		}
	}
}
"""
SLOW_RULE = "id: slow\nseverity: info\nmessage: slow\nrule:\n  kind: interpreted_string_literal\n  regex: '^\"(a+)+$'\n"
SLOW_GO = 'package s\n\nvar x = "' + "a" * 40 + 'b"\n'


def _default_sigint() -> None:
    """Run the child with Ctrl-C's default action even when this test runs as a shell's
    background job (which starts with SIGINT ignored, and Python keeps an ignored SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def run_in_process(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- 0 / 1 / 2 / 3 -------------------------------------------------------------------------------


def test_missing_path_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "src" / "svc.go", LEAKY)
    code, out, err = run_cli("check", "./srcc", cwd=tmp_path)  # a typo used to pass green (note, exit 0)
    assert code == 2 and out == ""
    assert one_line(err) == "goplumber: no such file or directory: ./srcc"
    code, out, err = run_cli("check", "src", "nope.go", cwd=tmp_path)
    assert code == 2 and "nope.go" in err and out == ""


def test_dangling_symlink_named_is_a_note(tmp_path: Path, run_cli) -> None:
    """pre-commit can pass a staged symbolic link whose target is gone: a note, like in a walk."""
    write(tmp_path / "svc.go", FIXED)
    os.symlink(tmp_path / "gone.go", tmp_path / "link.go")
    code, out, _ = run_cli("check", "--format", "json", "svc.go", "link.go", cwd=tmp_path)
    assert code == 0
    assert json.loads(out)["errors"] == [{"path": "link.go", "message": "skipped: broken symbolic link", "kind": "not-regular"}]


def test_clean_findings_and_notes_that_do_not_fail(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "go.mod", "module m\n\ngo 1.21\n")
    write(tmp_path / "ok" / "svc.go", FIXED)
    assert run_cli("check", "ok", cwd=tmp_path)[0] == 0
    # a NUL byte (not Go: the compiler rejects it) and a syntax error are notes, not "incomplete"
    write(tmp_path / "ok" / "bin.go", b"package svc\x00\x01")
    write(tmp_path / "ok" / "broken.go", "package svc\nfunc {{{{ time.After(\n")
    code, out, err = run_cli("check", "--format", "json", "ok", cwd=tmp_path)
    kinds = {Path(e["path"]).name: e["kind"] for e in json.loads(out)["errors"]}
    assert code == 0 and kinds == {"bin.go": "binary", "broken.go": "syntax"}, err
    write(tmp_path / "bad" / "svc.go", LEAKY)
    assert run_cli("check", "bad", cwd=tmp_path)[0] == 1
    # files skipped on purpose are notes too: pre-commit naming a vendored file stays green
    write(tmp_path / "vendor" / "v" / "svc.go", LEAKY)
    code, out, err = run_cli("check", "--format", "json", "vendor/v/svc.go", cwd=tmp_path)
    assert code == 0 and [e["kind"] for e in json.loads(out)["errors"]] == ["excluded"], err


def test_file_over_the_size_limit_is_incomplete(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "svc.go", LEAKY)
    big = tmp_path / "big.go"
    with open(big, "wb") as fh:  # sparse: over the limit without writing 10 MB
        fh.truncate(engine.MAX_FILE_BYTES + 1)
    code, out, err = run_cli("check", ".", cwd=tmp_path)
    # findings and an incomplete file: 3 wins (the result cannot be trusted), findings still printed
    assert code == 3, out + err
    assert "svc.go:10:17: error:" in out and "big.go: note: skipped: file is" in out
    assert one_line(err).startswith("goplumber: analysis incomplete: 1 file could not be checked fully")
    os.unlink(tmp_path / "svc.go")
    assert run_cli("check", ".", cwd=tmp_path)[0] == 3  # without findings too


def test_timed_out_file_is_incomplete(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "rules" / "slow.yaml", SLOW_RULE)
    write(tmp_path / "src" / "slow.go", SLOW_GO)
    code, out, err = run_cli("check", "--rules", "rules", "--timeout-per-file", "0.5", "--format", "json", "src", cwd=tmp_path)
    assert code == 3, err
    (e,) = json.loads(out)["errors"]
    assert e["path"] == "src/slow.go" and e["kind"] == "timeout"


def test_unreadable_file_and_internal_rule_error_are_incomplete(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path / "svc.go", LEAKY)
    write(tmp_path / "other.go", FIXED.replace("func handler", "func other"))
    monkeypatch.chdir(tmp_path)
    from linter import safeio

    real_read = safeio.read_bounded

    def unreadable(path, *a, **kw):  # root reads mode-000 files: simulate the permission error
        if str(path).endswith("other.go"):
            raise safeio.ReadError("Permission denied")
        return real_read(path, *a, **kw)

    monkeypatch.setattr(safeio, "read_bounded", unreadable)
    code, out, err = run_in_process(capsys, "check", "--no-cache", "--format", "json", ".")
    doc = json.loads(out)
    assert code == 3 and [f["rule_id"] for f in doc["findings"]] == ["unclosed-client"]
    assert doc["errors"] == [{"path": "other.go", "message": "cannot read: Permission denied", "kind": "unreadable"}]
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path)

    from linter.checks.lifetime import LifetimeCheck

    def boom(self, node, env, pass_):
        raise ValueError("boom")

    monkeypatch.setattr(LifetimeCheck, "run", boom)
    code, out, err = run_in_process(capsys, "check", "--no-cache", "--select", "unclosed-client", "svc.go")
    assert code == 3 and "internal error in rule unclosed-client: ValueError: boom" in out


def test_error_kinds_fail_closed() -> None:
    """A FileError made without a kind (another budget, an old cache entry) counts as incomplete
    unless its message is one of the known notes."""
    assert FileError("a.go", "skipped: work budget of 1000000 steps spent").incomplete
    assert FileError("a.go", "something nobody classified").kind == "internal"
    assert FileError("a.go", "skipped: checking took longer than 1s (--timeout-per-file)").kind == "timeout"
    assert not FileError("a.go", "skipped: binary file (contains NUL bytes)").incomplete
    assert not FileError("a.go", "whatever", "syntax").incomplete
    assert FileError("a.go", "whatever", "budget").incomplete  # an explicit kind nobody listed: incomplete


def test_check_help_documents_exit_codes(run_cli) -> None:
    code, out, _ = run_cli("check", "--help")
    assert code == 0
    for line in ("0    clean", "1    findings", "2    usage or configuration error", "3    analysis incomplete", "130  interrupted"):
        assert line in out
    for flag in ("--new-from-merge-base", "--stdin-filename"):
        assert flag in out
    assert "3    analysis incomplete" in cli.__doc__


def test_readme_documents_exit_codes_and_flags() -> None:
    text = (ROOT / "README.md").read_text()
    table = re.search(r"\| exit code \| meaning \|\n\|---\|---\|\n((?:\|.*\n)+)", text)
    assert table, "README has no exit-code table"
    codes = [row.split("|")[1].strip(" `") for row in table.group(1).splitlines()]
    assert codes == ["0", "1", "2", "3", "130"]
    for flag in ("--new-from-merge-base REV", "--stdin-filename", "GOPLUMBER_DEBUG"):
        assert flag in text


# -- --write-baseline --------------------------------------------------------------------------------


def test_write_baseline_is_a_successful_set_up_step(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "svc.go", LEAKY)
    code, _, err = run_cli("check", "--write-baseline", "base.json", ".", cwd=tmp_path)
    assert code == 0 and "wrote 1 finding(s) to baseline base.json" in err  # was 1: broke `set -e`
    assert len(json.loads((tmp_path / "base.json").read_text())["findings"]) == 1
    assert run_cli("check", "--baseline", "base.json", ".", cwd=tmp_path)[0] == 0
    with open(tmp_path / "big.go", "wb") as fh:
        fh.truncate(engine.MAX_FILE_BYTES + 1)
    assert run_cli("check", "--write-baseline", "base.json", ".", cwd=tmp_path)[0] == 3  # incomplete: not a clean set-up


def test_unwritable_output_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "svc.go", LEAKY)
    for flag in (["--output", "nodir/out.json"], ["--output", "sarif:nodir/out.sarif"], ["--write-baseline", "nodir/b.json"]):
        code, _, err = run_cli("check", *flag, ".", cwd=tmp_path)
        assert code == 2 and "cannot write nodir/" in one_line(err)


# -- one line, never a traceback ---------------------------------------------------------------------


def test_internal_error_is_one_line(capsys, monkeypatch, tmp_path: Path) -> None:
    def crash(*a, **kw):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(cli, "check_paths", crash)
    write(tmp_path / "svc.go", LEAKY)
    monkeypatch.delenv("GOPLUMBER_DEBUG", raising=False)
    code, out, err = run_in_process(capsys, "check", str(tmp_path))
    assert code == 3 and out == ""
    line = one_line(err)
    assert line.startswith("goplumber: internal error: RuntimeError: something broke (a bug in goplumber: please report it")
    assert "GOPLUMBER_DEBUG=1" in line
    monkeypatch.setenv("GOPLUMBER_DEBUG", "1")
    code, _, err = run_in_process(capsys, "check", str(tmp_path))
    assert code == 3 and "Traceback" in err and err.rstrip().splitlines()[-1].startswith("goplumber: internal error: RuntimeError")


def test_interrupt_in_report_is_one_line(capsys, monkeypatch) -> None:
    from linter.audit import command

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "run_report", interrupted)
    code, out, err = run_in_process(capsys, "report", "--db", "x.sqlite")
    assert code == 130 and one_line(err) == "goplumber: interrupted"
    signal.signal(signal.SIGINT, signal.default_int_handler)  # main() reset it for a second Ctrl-C


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _interrupt(args: list[str], cwd: Path, workers: int) -> tuple[int, str, str]:
    """Start goplumber in its own process group, wait until it is busy checking (its workers
    have burnt CPU, or it has), then Ctrl-C the group as a terminal does."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen(
        [sys.executable, "-m", "linter", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )
    try:
        give_up = time.monotonic() + 120  # a safety net only
        while time.monotonic() < give_up and p.poll() is None:
            busy = [c for c in _children(p.pid) if _cpu_seconds(c) > 0.3] if workers else [p.pid] * (_cpu_seconds(p.pid) > 1.0)
            if len(busy) >= max(workers, 1):
                break
            time.sleep(0.05)
        assert p.poll() is None, "goplumber ended before it could be interrupted"
        children = _children(p.pid)
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=60)
        for c in children:  # workers are gone, not left running
            for _ in range(100):
                if not Path(f"/proc/{c}").exists() or "Z" in Path(f"/proc/{c}/stat").read_text().rsplit(")", 1)[1].split()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail(f"worker {c} still running after the interrupt")
        return p.returncode, out.decode(), err.decode()
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.fixture
def slow_tree(tmp_path: Path) -> Path:
    write(tmp_path / "rules" / "slow.yaml", SLOW_RULE)
    for i in range(30):  # enough files and packages for a worker pool
        write(tmp_path / "src" / f"p{i}" / "slow.go", SLOW_GO)
    return tmp_path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_check(slow_tree: Path, jobs: str) -> None:
    args = ["check", "--no-cache", "--rules", "rules", "--select", "slow", "--timeout-per-file", "0", "--jobs", jobs, "src"]
    code, out, err = _interrupt(args, slow_tree, workers=int(jobs) if jobs != "1" else 0)
    assert code == 130 and err == "goplumber: interrupted\n" and out == ""


def test_ctrl_c_during_audit(slow_tree: Path) -> None:
    repos = [str(slow_tree / "src" / f"p{i}") for i in range(4)]
    args = ["audit", "--rules", "rules", "--select", "slow", "--timeout-per-file", "0", "--jobs", "2", "--db", "a.sqlite", *repos]
    code, _, err = _interrupt(args, slow_tree, workers=2)
    assert code == 130 and "Traceback" not in err
    assert re.fullmatch(r"goplumber( audit)?: interrupted.*", err.splitlines()[-1])  # audit adds how to resume


# -- diff gating ---------------------------------------------------------------------------------


@pytest.fixture
def branched(tmp_path: Path) -> Path:
    """main: svc.go with a leak; branch `feature` adds a timer leak; then main fixes a line of
    the old leak's statement (so the tip of main and the branch differ there)."""
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path / "go.mod", "module example.com/svc\n\ngo 1.21\n")
    write(tmp_path / "svc.go", LEAKY)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "initial")
    git(tmp_path, "checkout", "-qb", "feature")
    write(tmp_path / "timer.go", TIMER)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "timer")
    git(tmp_path, "checkout", "-q", "main")
    write(tmp_path / "svc.go", LEAKY.replace("secretmanager.NewClient(r.Context())", "secretmanager.NewClient(r.Context()) // on main"))
    git(tmp_path, "commit", "-qam", "main moves on")
    git(tmp_path, "checkout", "-q", "feature")
    return tmp_path


def _rule_ids(out: str) -> list[str]:
    return [f["rule_id"] for f in json.loads(out)["findings"]]


def test_new_from_merge_base(branched: Path, run_cli) -> None:
    code, out, _ = run_cli("check", "--format", "json", "--new-from-rev", "main", ".", cwd=branched)
    assert _rule_ids(out) == ["unclosed-client", "time-after-in-loop"]  # against the tip: main's edit reappears
    code, out, err = run_cli("check", "--format", "json", "--new-from-merge-base", "main", ".", cwd=branched)
    assert code == 1 and _rule_ids(out) == ["time-after-in-loop"], err  # the branch's own change only
    code, _, err = run_cli("check", "--new-from-merge-base", "no-such-branch", ".", cwd=branched)
    assert code == 2 and one_line(err).startswith("goplumber: git could not find the merge base of 'no-such-branch' and HEAD")
    code, _, err = run_cli("check", "--new-from-merge-base", "main", "--new-from-rev", "main", ".", cwd=branched)
    assert code == 2 and "cannot be combined" in err


def test_git_diff_ignores_user_config(branched: Path, run_cli) -> None:
    """Settings that change what `git diff` prints do not change which lines count."""
    for key, value in (("diff.mnemonicPrefix", "true"), ("diff.noprefix", "true"), ("color.ui", "always"), ("core.pager", "false")):
        git(branched, "config", key, value)
    write(branched / 'we"ird.go', TIMER.replace("func wait", "func wait2"))  # git C-quotes this name
    git(branched, "add", "-A")
    code, out, err = run_cli("check", "--format", "json", "--new-from-merge-base", "main", ".", cwd=branched)
    assert sorted((f["path"], f["rule_id"]) for f in json.loads(out)["findings"]) == [
        ("timer.go", "time-after-in-loop"),
        ('we"ird.go', "time-after-in-loop"),
    ], err


def test_new_from_patch_validation(tmp_path: Path, run_cli) -> None:
    write(tmp_path / "svc.go", LEAKY)
    write(tmp_path / "garbage.diff", "this is not a diff\nat all\n")
    code, _, err = run_cli("check", "--new-from-patch", "garbage.diff", ".", cwd=tmp_path)
    assert code == 2 and "not a unified diff" in one_line(err)  # was: "no changes", exit 0
    write(tmp_path / "empty.diff", "")
    assert run_cli("check", "--new-from-patch", "empty.diff", ".", cwd=tmp_path)[0] == 0  # empty: really no changes
    code, _, err = run_cli("check", "--new-from-patch", "missing.diff", ".", cwd=tmp_path)
    assert code == 2 and "cannot read missing.diff" in err
    patch = "--- a/svc.go\n+++ b/svc.go\n@@ -9,0 +10,1 @@\n+\tclient, err := secretmanager.NewClient(r.Context())\n"
    write(tmp_path / "real.diff", patch)
    assert run_cli("check", "--new-from-patch", "real.diff", ".", cwd=tmp_path)[0] == 1


def test_patch_parsing_by_hunk_counts(tmp_path: Path) -> None:
    # an added line "++x" and a removed line "-- x" are hunk lines, not file headers
    text = "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1,2 +1,2 @@\n--- old\n+++ new\n x\n"
    got = changed_lines_from_patch(text, str(tmp_path))
    assert got == {os.path.normcase(str(tmp_path / "a.go")): {1}}


# -- stdin ---------------------------------------------------------------------------------------

RELOAD = WATCH_IN_HELPER.replace("package svc", "package main", 1)
LOOP = """package main

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func main() {
	cli, _ := clientv3.New(clientv3.Config{})
	for range time.Tick(time.Minute) {
		reload(context.Background(), cli)
	}
}
"""


def _stdin(cwd: Path, data: str, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run(
        [sys.executable, "-m", "linter", "check", *args], input=data, cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    return p.returncode, p.stdout, p.stderr


def test_stdin_in_every_format(tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "go.mod", "module m\n\ngo 1.21\n")
    write(tmp_path / "svc" / "main.go", LOOP)  # the caller is a sibling on disk: the finding needs it
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    name = "svc/reload.go"  # need not exist on disk
    from linter.formatter import FORMATS

    assert set(FORMATS) == {"text", "json", "sarif", "github", "junit", "code-climate", "checkstyle"}  # a new one: add it here
    for fmt in FORMATS:
        code, out, err = _stdin(tmp_path, RELOAD, "--format", fmt, "--stdin-filename", name, "-")
        assert code == 1, (fmt, err)
        if fmt == "text":
            assert out.startswith("svc/reload.go:10:8: error: cli.Watch") and "main.go" in out
        elif fmt == "json":
            assert [(f["path"], f["rule_id"]) for f in json.loads(out)["findings"]] == [(name, "repeated-watch")]
        elif fmt == "sarif":
            (res,) = json.loads(out)["runs"][0]["results"]
            assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == name
        elif fmt == "github":
            assert out.startswith("::error file=svc/reload.go,line=10,")
        elif fmt == "code-climate":
            assert [i["location"]["path"] for i in json.loads(out)] == [name]
        elif fmt == "checkstyle":
            assert [f.get("name") for f in ET.fromstring(out).iter("file")] == [name]
        else:
            (case,) = [c for c in ET.fromstring(out).iter("testcase") if c.find("failure") is not None]
            assert case.get("file") == name
    code, out, _ = _stdin(tmp_path, RELOAD, "--format", "json", "-")  # no name: <stdin> in the current directory
    assert code == 0 and json.loads(out)["findings"] == [] and json.loads(out)["stats"]["files"] == 1
    code, out, _ = _stdin(tmp_path, LEAKY, "--format", "json", "-")
    assert [f["path"] for f in json.loads(out)["findings"]] == ["<stdin>"]


def test_stdin_filename_governs_config_version_globs_and_suppressions(tmp_path: Path) -> None:
    write(tmp_path / "go.mod", "module m\n\ngo 1.21\n")
    write(tmp_path / "new" / "go.mod", "module n\n\ngo 1.23\n")  # time.After in a loop is fine from Go 1.23
    write(tmp_path / "strict" / ".goplumber.yaml", "severity:\n  time-after-in-loop: warning\n")
    write(tmp_path / "svc" / "svc.go", FIXED.replace("package svc", "package svc // on disk"))  # stdin wins over the disk copy
    assert _stdin(tmp_path, TIMER, "--stdin-filename", "svc/t.go", "-")[0] == 1
    assert _stdin(tmp_path, TIMER, "--stdin-filename", "new/t.go", "-")[0] == 0  # go.mod of the stand-in path
    code, out, _ = _stdin(tmp_path, TIMER, "--format", "json", "--stdin-filename", "strict/t.go", "-")
    assert [f["severity"] for f in json.loads(out)["findings"]] == ["warning"]  # its config
    assert _stdin(tmp_path, TIMER, "--stdin-filename", "svc/t_test.go", "-")[0] == 0  # rule path globs skip tests
    code, out, _ = _stdin(tmp_path, LEAKY, "--format", "json", "--stdin-filename", "svc/svc.go", "-")
    assert [f["path"] for f in json.loads(out)["findings"]] == ["svc/svc.go"]
    ignored = TIMER.replace("\t\tcase <-time.After", "\t\t//goplumber:ignore time-after-in-loop polled\n\t\tcase <-time.After")
    assert _stdin(tmp_path, ignored, "--stdin-filename", "svc/t.go", "-")[0] == 0
    code, _, err = _stdin(tmp_path, TIMER, "--stdin-filename", "svc/t.go", "-", "svc")
    assert code == 2 and "cannot be combined" in err
    code, _, err = _stdin(tmp_path, TIMER, "--stdin-filename", "svc/t.go", "svc")
    assert code == 2 and '--stdin-filename needs the path "-"' in err
    assert _stdin(tmp_path, "package p\x00", "-")[0] == 0  # binary: a note


# -- README "Writing a rule" -------------------------------------------------------------------------


def test_readme_writing_a_rule_works_verbatim(tmp_path: Path, run_cli) -> None:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Writing a rule") :]
    section = section[: section.index("\n## ", 3)]
    files = re.findall(r"`([\w./-]+)`:\n\n```(?:yaml|go)\n(.*?)```", section, re.S)
    assert {Path(name).suffix for name, _ in files} == {".yaml", ".go"}, "the section names the rule file and the fixture file"
    for name, body in files:
        write(tmp_path / name, body)
    commands = [
        line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines() if line.startswith("goplumber ")
    ]
    assert any(c.startswith("goplumber test ") for c in commands)
    for command in commands:
        code, out, err = run_cli(*shlex.split(command, comments=True)[1:], cwd=tmp_path)
        expected = re.search(r"# exit (\d)", command)
        assert code == (int(expected.group(1)) if expected else 0), (command, out, err)
        if command.startswith("goplumber test "):
            assert out.startswith("PASS:"), out
