"""Hostile inputs other than Go source: rule YAML, `.goplumber.yaml`, baselines, patches, the
result and rule caches, symbolic links and special files in the tree, files named on the
command line. Each test is a reproduction from the reliability audit (numbers in the names are
its items, `#16.k` items of issue 16), scaled down."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from samples import LEAK, ROOT, write

from linter import __version__


def one_line_error(code: int, err: str) -> str:
    """The run failed as a usage/config error with a single line on stderr, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    return lines[0]


def laughs(levels: int, key: str = "l") -> list[str]:
    """Anchors of a billion-laughs document: level i is nine aliases of level i-1."""
    out = [f'{key}0: &{key}0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    out += [f"{key}{i}: &{key}{i} [{','.join([f'*{key}{i - 1}'] * 9)}]" for i in range(1, levels)]
    return out


RULE = """id: my-rule
severity: warning
message: m
rule:
  pattern: time.After($D)
"""


# -- 3.1 / 3.2: bounded YAML ---------------------------------------------------------------------


def test_3_1_billion_laughs_in_config_parameters(tmp_path: Path, run_cli) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "main.go", LEAK)
    # 9^7 = 4.8 million nodes once expanded; 6.5 GB at the audit's 10 levels
    lines = ["parameters:", "  unclosed-client:", "    lifetime:", "      anchors:"]
    lines += ["        " + x for x in laughs(7)]
    lines += ["      resources: *l6"]
    write(tmp_path, ".goplumber.yaml", "\n".join(lines) + "\n")
    line = one_line_error(*run_cli("check", "--no-cache", ".", cwd=tmp_path)[::2])
    assert line.startswith(".goplumber.yaml:"), line
    assert "more than 500000 nodes once aliases are expanded" in line


def _indent(lines: list[str], n: int) -> str:
    return "".join(" " * n + x + "\n" for x in lines)


@pytest.mark.parametrize(
    "body",
    [
        RULE + "metadata:\n  anchors:\n" + _indent(laughs(7), 4) + "  tags: *l6\n",
        RULE + "check:\n  lifetime:\n    callee: $D\n    anchors:\n" + _indent(laughs(7), 6) + "    resources: *l6\n",
        RULE + "utils:\n  defs:\n" + _indent(laughs(7), 4) + "  big:\n    any: *l6\n",
    ],
    ids=["metadata", "check", "utils"],
)
def test_3_1_billion_laughs_in_rule_file(tmp_path: Path, run_cli, body: str) -> None:
    write(tmp_path, "a.go", LEAK)
    write(tmp_path, "rules/r.yaml", body)
    code, _, err = run_cli("check", "--no-cache", "--no-builtin-rules", "--rules", str(tmp_path / "rules"), str(tmp_path / "a.go"))
    line = one_line_error(code, err)
    assert "r.yaml:" in line and "YAML error: document too large: more than 500000 nodes" in line, line


def test_3_2_deep_nesting_in_rule_file_and_config(tmp_path: Path, run_cli) -> None:
    write(tmp_path, "a.go", LEAK)
    write(tmp_path, "rules/r.yaml", RULE + "metadata: {x: " + "[" * 20000 + "]" * 20000 + "}\n")
    code, _, err = run_cli("check", "--no-cache", "--rules", str(tmp_path / "rules"), str(tmp_path / "a.go"))
    line = one_line_error(code, err)
    assert "r.yaml:6: YAML error: nesting deeper than 64 levels" in line, line
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "main.go", LEAK)
    write(repo, ".goplumber.yaml", "rules:\n  disable: " + "[" * 5000 + "]" * 5000 + "\n")
    line = one_line_error(*run_cli("check", "--no-cache", ".", cwd=repo)[::2])
    assert line.startswith(".goplumber.yaml:2: YAML error: nesting deeper than 64 levels"), line
    write(repo, ".goplumber.yaml", "rules:\n  disable: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n")
    assert "nesting deeper" in one_line_error(*run_cli("check", "--no-cache", ".", cwd=repo)[::2])


def test_recursive_alias_is_refused() -> None:
    import yaml

    from linter.yamllines import load

    with pytest.raises(yaml.YAMLError, match="refers to a node that contains it"):
        load("a: &a [1, *a]\n")
    # ordinary anchors still work
    assert load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_rule_file_size_cap(tmp_path: Path, run_cli) -> None:
    write(tmp_path, "a.go", LEAK)
    write(tmp_path, "rules/r.yaml", RULE + "description: |\n" + ("  " + "x" * 1000 + "\n") * 4300)
    code, _, err = run_cli("check", "--no-cache", "--rules", str(tmp_path / "rules"), str(tmp_path / "a.go"))
    assert "cannot read rule file: rule file is" in one_line_error(code, err)
    os.mkfifo(tmp_path / "rules" / "r.yaml.fifo")
    os.replace(tmp_path / "rules" / "r.yaml.fifo", tmp_path / "rules" / "r.yaml")  # a FIFO: never opened for reading
    code, _, err = run_cli("check", "--no-cache", "--rules", str(tmp_path / "rules" / "r.yaml"), str(tmp_path / "a.go"))
    assert "not a regular file" in one_line_error(code, err)


# -- 3.8 / #16.12: the config's rule-dirs, go-version ---------------------------------------------


@pytest.mark.parametrize("target", ["/etc/passwd", "/", "/proc/self/environ", "../..", "etclink", "inside/../../outside"])
def test_3_8_config_rule_dirs_stay_in_the_repository(tmp_path: Path, run_cli, target: str) -> None:
    repo = tmp_path / "a" / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "main.go", LEAK)
    write(tmp_path, "a/outside/r.yaml", RULE)
    os.symlink("/etc", repo / "etclink")
    write(repo, ".goplumber.yaml", f"# rules of the project\nfail-on: info\nrule-dirs:\n  - {target!r}\n")
    line = one_line_error(*run_cli("check", "--no-cache", ".", cwd=repo)[::2])
    assert line.startswith(f".goplumber.yaml:4: rule-dirs: {target!r} is outside the repository"), line


def test_3_8_rule_file_linked_out_of_the_repository(tmp_path: Path, run_cli) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "main.go", LEAK)
    write(tmp_path, "outside.yaml", RULE)
    write(repo, "rules/own.yaml", RULE.replace("my-rule", "own-rule"))
    write(repo, ".goplumber.yaml", "rule-dirs: [rules]\n")
    code, out, err = run_cli("check", "--no-cache", "--select", "own-rule", ".", cwd=repo)
    assert code == 1 and "[own-rule]" in out, err  # a rule directory inside the repository works
    os.symlink(tmp_path / "outside.yaml", repo / "rules" / "stolen.yaml")
    line = one_line_error(*run_cli("check", "--no-cache", ".", cwd=repo)[::2])
    assert line == ".goplumber.yaml:1: rule-dirs: 'rules' holds 'stolen.yaml', a link to outside the repository", line
    os.unlink(repo / "rules" / "stolen.yaml")
    os.mkfifo(repo / "rules" / "pipe.yaml")
    line = one_line_error(*run_cli("check", "--no-cache", ".", cwd=repo)[::2])
    assert "'pipe.yaml', which is not a regular file" in line, line
    # rule directories the user names on the command line are not confined
    os.unlink(repo / "rules" / "pipe.yaml")
    code, out, err = run_cli("check", "--no-cache", "--rules", str(tmp_path / "outside.yaml"), "--select", "my-rule", ".", cwd=repo)
    assert code == 1 and "[my-rule]" in out, err


def test_config_linked_out_of_the_repository_is_not_read(tmp_path: Path, run_cli) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "main.go", LEAK)
    write(tmp_path, "secret.txt", "password: hunter2\n")
    os.symlink(tmp_path / "secret.txt", repo / ".goplumber.yaml")
    line = one_line_error(*run_cli("check", "--no-cache", ".", cwd=repo)[::2])
    assert line.startswith(".goplumber.yaml:1: is a symbolic link to a file outside the repository"), line
    assert "hunter2" not in line
    os.unlink(repo / ".goplumber.yaml")
    write(repo, "conf/goplumber.yaml", "fail-on: info\n")
    os.symlink("conf/goplumber.yaml", repo / ".goplumber.yaml")  # inside the repository: read
    code, out, err = run_cli("check", "--no-cache", ".", cwd=repo)
    assert code == 1 and "[time-after-in-loop]" in out, err
    # a config named with --config is the user's own choice: read wherever it is
    code, _, err = run_cli("check", "--no-cache", "--config", str(tmp_path / "secret.txt"), ".", cwd=repo)
    assert "unknown key 'password'" in one_line_error(code, err)


def test_16_12_missing_rule_dir_names_the_config_line_and_path_as_written(tmp_path: Path, run_cli) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, "main.go", LEAK)
    write(tmp_path, ".goplumber.yaml", "fail-on: info\n\nrule-dirs: [rules, nope]\n")
    (tmp_path / "rules").mkdir()
    line = one_line_error(*run_cli("check", ".", cwd=tmp_path)[::2])
    assert line == ".goplumber.yaml:3: rule-dirs: 'nope' does not exist", line


def test_16_12_unquoted_go_version_keeps_its_digits(tmp_path: Path, run_cli) -> None:
    from linter.config import load_config

    cfg = write(tmp_path, ".goplumber.yaml", "go-version: 1.30\n")
    assert load_config(str(cfg)).go_version == "1.30"
    write(tmp_path, ".goplumber.yaml", "go-version: 1.20\n")
    assert load_config(str(cfg)).go_version == "1.20"
    # time.After in a loop is no leak from Go 1.23 on: 1.30 must not be read as Go 1.3
    (tmp_path / ".git").mkdir()
    write(tmp_path, "a.go", LEAK)
    write(tmp_path, ".goplumber.yaml", "go-version: 1.30\n")
    code, out, err = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert code == 0, out + err
    write(tmp_path, ".goplumber.yaml", "go-version: 1.20\n")
    assert run_cli("check", "--no-cache", ".", cwd=tmp_path)[0] == 1


# -- 1.16 / 1.20: symbolic links and special files in the tree -------------------------------------


def test_1_16_symlinks_out_of_the_tree_are_not_followed(tmp_path: Path, run_cli) -> None:
    scan, outside = tmp_path / "scan", tmp_path / "outside"
    write(outside, "secret.go", LEAK)
    write(scan, "own.go", LEAK)
    write(scan, "sub/inner.go", LEAK)
    os.symlink("../outside", scan / "ext")
    os.symlink("../outside/secret.go", scan / "x.go")
    os.symlink("/", scan / "root")  # would walk the whole disk
    os.symlink("sub", scan / "alias")  # inside the tree: still followed, and its files found once
    os.symlink("sub/inner.go", scan / "linked.go")
    code, out, err = run_cli("check", "--no-cache", "--format", "json", str(scan))
    assert code == 1, err
    doc = json.loads(out)
    found = sorted(os.path.relpath(f["path"], scan) for f in doc["findings"])
    assert found == ["linked.go", "own.go", "sub/inner.go"], found
    notes = {os.path.relpath(e["path"], scan): e["message"] for e in doc["errors"]}
    assert notes == {
        "ext": "skipped: symbolic link to a directory outside the checked tree",
        "root": "skipped: symbolic link to a directory outside the checked tree",
        "x.go": "skipped: symbolic link to a file outside the checked tree",
    }


def test_1_20_file_swapped_for_a_fifo_is_not_opened_for_reading(tmp_path: Path) -> None:
    from linter.engine import _read
    from linter.model import FileError

    fifo = tmp_path / "f.go"
    os.mkfifo(fifo)  # as if a regular file listed a moment ago had been replaced
    errors: list[FileError] = []
    got: list[object] = []
    t = threading.Thread(target=lambda: got.append(_read(str(fifo), errors)), daemon=True)
    t.start()
    t.join(30)  # a safety net: open() of a FIFO without O_NONBLOCK waits for a writer forever
    assert not t.is_alive(), "blocked opening a FIFO"
    assert got == [None] and errors == [FileError(str(fifo), "skipped: not a regular file")]


def test_fifo_sibling_with_the_result_cache_on(tmp_path: Path) -> None:
    """The cache key hashes every `.go` file of the directory: a FIFO among them must not block."""
    write(tmp_path, "a.go", LEAK)
    os.mkfifo(tmp_path / "pipe.go")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run(
        [sys.executable, "-m", "linter", "check", "--cache-dir", str(tmp_path / "c"), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 1 and "pipe.go: note: skipped: not a regular file" in p.stdout + p.stderr, p.stdout + p.stderr


def test_read_bounded_refuses_devices_and_caps_size(tmp_path: Path) -> None:
    from linter.safeio import ReadError, read_bounded, read_head

    with pytest.raises(ReadError, match="not a regular file"):
        read_bounded("/dev/zero", 1000, "baseline")
    big = write(tmp_path, "big", b"x" * 2000)
    with pytest.raises(ReadError, match="baseline is 2000 bytes"):
        read_bounded(str(big), 1000, "baseline")
    assert read_head(str(big), 10) == b"x" * 10
    assert read_bounded(str(big), 2000) == b"x" * 2000
    os.symlink(big, tmp_path / "link")
    with pytest.raises(ReadError, match="symbolic link"):
        read_bounded(str(tmp_path / "link"), 5000, follow_symlinks=False)


# -- #16.2 / #16.12: files named on the command line -----------------------------------------------


def test_16_2_named_files_get_the_default_skips(tmp_path: Path, run_cli) -> None:
    vendored = write(tmp_path, "vendor/github.com/x/y/y.go", LEAK)
    fixture = write(tmp_path, "pkg/testdata/t.go", LEAK)
    gen = write(tmp_path, "mock_gen.go", "// Code generated by mockgen. DO NOT EDIT.\n\n" + LEAK)
    ignored = write(tmp_path, "mkall.go", "//go:build ignore\n\n" + LEAK)
    own = write(tmp_path, "own.go", "package a\n\nfunc g() {}\n")
    names = [str(p.relative_to(tmp_path)) for p in (vendored, fixture, gen, ignored, own)]
    code, out, err = run_cli("check", "--no-cache", "--format", "json", *names, cwd=tmp_path)
    assert code == 0, out + err  # a pre-commit run on a `go mod vendor` commit or regenerated mocks
    notes = {e["path"]: e["message"] for e in json.loads(out)["errors"]}
    assert notes == {
        "vendor/github.com/x/y/y.go": "skipped: in a vendor/ directory (--no-default-excludes checks it)",
        "pkg/testdata/t.go": "skipped: in a testdata/ directory (--no-default-excludes checks it)",
        "mock_gen.go": "skipped: generated file (--no-default-excludes checks it)",
        "mkall.go": "skipped: file excluded from builds (//go:build ignore) (--no-default-excludes checks it)",
    }
    code, out, err = run_cli("check", "--no-cache", "--format", "json", "--no-default-excludes", *names, cwd=tmp_path)
    assert code == 1, err
    assert len(json.loads(out)["findings"]) == 4
    # the cache keeps the two apart
    assert run_cli("check", "--cache-dir", "c", *names, cwd=tmp_path)[0] == 0
    assert run_cli("check", "--cache-dir", "c", "--no-default-excludes", *names, cwd=tmp_path)[0] == 1
    assert run_cli("check", "--cache-dir", "c", *names, cwd=tmp_path)[0] == 0


def test_16_12_named_file_excluded_by_config_gets_a_note(tmp_path: Path, run_cli) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".goplumber.yaml", 'exclude: ["gen/**"]\n')
    write(tmp_path, "gen/a.go", LEAK)
    code, out, err = run_cli("check", "--no-cache", "gen/a.go", cwd=tmp_path)
    assert code == 0
    assert "gen/a.go: note: skipped: excluded by .goplumber.yaml (exclude: 'gen/**')" in out + err
    code, out, err = run_cli("check", "--no-cache", ".", cwd=tmp_path)  # a walk stays quiet about it
    assert code == 0 and "excluded" not in out + err


# -- 3.10 / 7.1: baselines, patches, the result cache ----------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"findings": [{"fingerprint": "\xff"}]}', "b.json:1: baseline is not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "b.json: baseline is not a goplumber baseline (nested too deeply)"),
        (b'{"findings": [], "n": ' + b"9" * 5000 + b"}", "b.json: baseline is not valid JSON: Exceeds the limit"),
        ("/dev/zero", "b.json: cannot read baseline: not a regular file"),
        ("fifo", "b.json: cannot read baseline: not a regular file"),
    ],
)
def test_3_10_hostile_baseline(tmp_path: Path, run_cli, content: bytes | str, expected: str) -> None:
    write(tmp_path, "a.go", LEAK)
    if content == "/dev/zero":
        os.symlink("/dev/zero", tmp_path / "b.json")
    elif content == "fifo":
        os.mkfifo(tmp_path / "b.json")
    else:
        assert isinstance(content, bytes)
        write(tmp_path, "b.json", content)
    line = one_line_error(*run_cli("check", "--no-cache", "--baseline", "b.json", ".", cwd=tmp_path)[::2])
    assert line.startswith("goplumber: " + expected), line


@pytest.mark.parametrize("patch", ["/dev/zero", "fifo"])
def test_7_1_new_from_patch_on_a_device_or_fifo(tmp_path: Path, run_cli, patch: str) -> None:
    write(tmp_path, "a.go", LEAK)
    if patch == "fifo":
        os.mkfifo(tmp_path / "p.diff")
        patch = "p.diff"
    line = one_line_error(*run_cli("check", "--no-cache", "--new-from-patch", patch, ".", cwd=tmp_path)[::2])
    assert line == f"goplumber: --new-from-patch: cannot read {patch}: not a regular file", line


@pytest.mark.parametrize(
    "entry",
    [
        {"version": __version__},
        {"version": __version__, "findings": [{"path": "a.go"}], "errors": []},
        {"version": __version__, "findings": [], "errors": [], "stats": [], "unused": 3},
        {"version": __version__, "findings": "x", "errors": {}},
        [1, 2],
    ],
)
def test_7_1_wrong_shaped_result_cache_entry_is_a_miss(tmp_path: Path, run_cli, entry: object) -> None:
    write(tmp_path, "s/a.go", LEAK)
    code, first, _ = run_cli("check", "--cache-dir", "c", "s", cwd=tmp_path)
    assert code == 1
    entries = list((tmp_path / "c").glob("*/*.json"))
    assert entries
    for f in entries:
        f.write_text(json.dumps(entry))
    for _ in range(2):  # not once: every run until the cache is deleted
        code, out, err = run_cli("check", "--cache-dir", "c", "s", cwd=tmp_path)
        assert (code, "Traceback" in err) == (1, False), err
        assert out.splitlines()[:-1] == first.splitlines()[:-1]


# -- the compiled-rule cache: data, not pickle -----------------------------------------------------


def _rule_cache(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "goplumber" / "rules"


def test_rule_cache_is_json_and_warm_equals_cold(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    leaky = str(ROOT / "examples" / "leaky" / "main.go")

    def run() -> str:
        p = subprocess.run(
            [sys.executable, "-m", "linter", "check", "--no-cache", "--format", "sarif", leaky],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert p.returncode == 1, p.stderr
        return p.stdout

    cold = run()
    files = list(_rule_cache(tmp_path).iterdir())
    assert [f.suffix for f in files] == [".json"]
    json.loads(files[0].read_text())  # plain data
    assert run() == cold


def _warm_rule_cache(tmp_path: Path) -> tuple[dict[str, str], list[Path], str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    leaky = str(ROOT / "examples" / "leaky" / "main.go")
    p = subprocess.run([sys.executable, "-m", "linter", "check", "--no-cache", leaky], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    return env, list(_rule_cache(tmp_path).glob("*.json")), p.stdout


def _tamper_severity(text: str) -> str:
    doc = json.loads(text)
    rule = doc["files"][0]["docs"][0]
    rule["v"][rule["k"].index("severity")] = "bogus"  # a value the schema refuses
    return json.dumps(doc)


@pytest.mark.parametrize(
    "planted",
    [
        lambda t: b"\x80\x04\x95 not json, e.g. an old pickle",
        lambda t: b'{"format": 2, "files": "x"}',
        lambda t: b"[" * 100_000,
        lambda t: t.replace('"m":', '"q":', 1).encode(),
        lambda t: _tamper_severity(t).encode(),
    ],
)
def test_planted_or_damaged_rule_cache_is_ignored(tmp_path: Path, planted) -> None:
    env, entries, expected = _warm_rule_cache(tmp_path)
    assert len(entries) == 1
    entries[0].write_bytes(planted(entries[0].read_text()))
    leaky = str(ROOT / "examples" / "leaky" / "main.go")
    p = subprocess.run([sys.executable, "-m", "linter", "check", "--no-cache", leaky], env=env, capture_output=True, text=True, timeout=120)
    assert (p.returncode, p.stderr) == (1, "")
    assert p.stdout.splitlines()[:-1] == expected.splitlines()[:-1]


def test_cache_entries_planted_as_symbolic_links_are_not_followed(tmp_path: Path, run_cli) -> None:
    write(tmp_path, "s/a.go", LEAK)
    assert run_cli("check", "--cache-dir", "c", "s", cwd=tmp_path)[0] == 1
    write(tmp_path, "forged.json", json.dumps({"version": __version__, "findings": [], "errors": []}))
    for f in (tmp_path / "c").glob("*/*.json"):
        f.unlink()
        os.symlink(tmp_path / "forged.json", f)  # a valid entry saying "no findings", through a link
    code, out, err = run_cli("check", "--cache-dir", "c", "s", cwd=tmp_path)
    assert code == 1 and "[time-after-in-loop]" in out, out + err


def test_cache_write_failure_leaves_no_temporary_files(tmp_path: Path, monkeypatch) -> None:
    from linter import cache

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    cache.store(str(tmp_path / "c"), "ab" + "0" * 62, {"findings": [], "errors": []})
    assert cache.write_atomic(str(tmp_path / "rules" / "k.json"), "{}") is False
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
    monkeypatch.undo()

    real_fdopen = os.fdopen

    def fdopen_full(fd: int, *args: object, **kwargs: object):  # noqa: ANN202 - the real one's type
        fh = real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]

        def write(_text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        fh.write = write
        return fh

    monkeypatch.setattr(os, "fdopen", fdopen_full)
    assert cache.write_atomic(str(tmp_path / "rules" / "k.json"), "{}") is False
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []
