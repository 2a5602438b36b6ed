"""`goplumber audit` / `report` on untrusted repositories and broken stores: nothing a
repository contains runs or weakens the audit, every bad store or output is a one-line error
(exit 2), reruns re-audit when the rule set changes, and every report format escapes data.

The reproductions are those of the reliability audit (items 4.2-4.12, 5.2, 5.3, 1.24, 7.1)
and of issue #16 (items 3, 6, 13, 14)."""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from linter.audit import gitinfo, runner
from linter.audit.store import APPLICATION_ID, SCHEMA_VERSION, Store, StoreError
from linter.engine import Options

ROOT = Path(__file__).resolve().parent.parent
LEAK = (
    'package p\n\nimport "time"\n\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n'
    "\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n"
)  # exactly one finding: time-after-in-loop
LABEL = """package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

var requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r"}, []string{"path"})

func h(w http.ResponseWriter, r *http.Request) { requests.WithLabelValues(r.URL.Path).Inc() }
"""  # exactly one finding: unbounded-label
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}


def _default_sigint() -> None:
    """Run the child with Ctrl-C's default action even when this test runs as a shell's
    background job (which starts with SIGINT ignored, and Python keeps an ignored SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def git(cwd: Path, *args: str) -> str:
    p = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    return p.stdout.strip()


def git_repo(path: Path, files: dict[str, str | bytes]) -> str:
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-qm", "x")
    return git(path, "rev-parse", "HEAD")


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120, preexec=None) -> tuple[int, str, str]:
    """goplumber in a fresh interpreter (`CI=1`: plain progress lines)."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1", **(env or {})}
    p = subprocess.run(
        [sys.executable, "-m", "linter", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout, preexec_fn=preexec
    )
    return p.returncode, p.stdout, p.stderr


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """goplumber's main() in this process (faster than a fresh interpreter): an exception
    escaping it fails the test as a traceback would."""
    from linter import cli as command_line

    def run(*args: str, cwd: Path) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = command_line.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def one_line_error(code: int, err: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("goplumber"), err


# --- 4.8: nothing in the repository's .git runs -------------------------------------------


def test_fsmonitor_of_an_audited_repository_is_not_executed(tmp_path: Path, run) -> None:
    repo = tmp_path / "repo"
    head = git_repo(repo, {"main.go": LEAK})
    git(repo, "config", "core.fsmonitor", "touch ../PWNED; false")
    git(repo, "config", "remote.origin.url", "https://user:s3cret@example.com/o/repo.git")
    for hook in ("post-checkout", "pre-commit", "reference-transaction"):
        (repo / ".git" / "hooks" / hook).write_text("#!/bin/sh\ntouch ../PWNED\n")
        (repo / ".git" / "hooks" / hook).chmod(0o755)
    db = tmp_path / "a.sqlite"
    code, out, err = run("audit", "--db", str(db), "repo", cwd=tmp_path)
    assert code == 0, err
    assert not (tmp_path / "PWNED").exists()
    assert rows(db, "SELECT git_commit, remote_url, status FROM repositories") == [(head, "https://example.com/o/repo.git", "ok")]
    (repo / "main.go").write_text(LEAK + "\nfunc g() {}\n")  # dirty: the source hash tells, not `git status`
    code, out, err = run("audit", "--db", str(db), "repo", cwd=tmp_path)
    assert "audited 1 of 1 repositories (0 unchanged" in out, out + err
    assert not (tmp_path / "PWNED").exists()


def test_git_metadata_read_as_data(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    first = git_repo(repo, {"a.go": LEAK})
    assert gitinfo.read_git(str(repo)) == gitinfo.GitInfo(first, None)
    git(repo, "remote", "add", "upstream", "git@example.com:o/r.git")
    (repo / "b.go").write_text(LEAK)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "y")
    second = git(repo, "rev-parse", "HEAD")
    git(repo, "pack-refs", "--all")  # the branch only in packed-refs now
    assert not (repo / ".git" / "refs" / "heads" / "main").exists()
    assert gitinfo.read_git(str(repo)) == gitinfo.GitInfo(second, "git@example.com:o/r.git")
    git(repo, "checkout", "-q", "--detach", first)  # detached HEAD
    assert gitinfo.read_git(str(repo)).commit == first  # type: ignore[union-attr]
    git(repo, "checkout", "-q", "main")
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "side", first)  # `.git` is a `gitdir:` file
    assert (tmp_path / "wt" / ".git").is_file()
    assert gitinfo.read_git(str(tmp_path / "wt")) == gitinfo.GitInfo(first, "git@example.com:o/r.git")
    unborn = tmp_path / "unborn"
    unborn.mkdir()
    git(unborn, "init", "-q")
    assert gitinfo.read_git(str(unborn)) == gitinfo.GitInfo(None, None)
    assert gitinfo.read_git(str(tmp_path)) is None  # not a checkout


def test_hostile_git_metadata_is_refused(tmp_path: Path) -> None:
    climbing = tmp_path / "climbing"
    (climbing / ".git").mkdir(parents=True)
    (tmp_path / "secret").write_text("0" * 40 + "\n")
    (climbing / ".git" / "HEAD").write_text("ref: refs/../../../secret\n")
    assert gitinfo.read_git(str(climbing)) == gitinfo.GitInfo(None, None)
    fifo = tmp_path / "fifo"
    (fifo / ".git").mkdir(parents=True)
    os.mkfifo(fifo / ".git" / "HEAD")
    os.mkfifo(fifo / ".git" / "config")
    assert gitinfo.read_git(str(fifo)) == gitinfo.GitInfo(None, None)  # returns: a FIFO is never opened
    device = tmp_path / "device"
    device.mkdir()
    (device / ".git").symlink_to("/dev/zero")
    assert gitinfo.read_git(str(device)) is None
    (tmp_path / "gitfile").mkdir()
    (tmp_path / "gitfile" / ".git").write_text("gitdir: /dev\n")
    assert gitinfo.read_git(str(tmp_path / "gitfile")) == gitinfo.GitInfo(None, None)


# --- 4.9: only regular files inside the repository are hashed -------------------------------


def _memory_cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))  # without the fix /dev/zero eats memory


def test_non_git_repository_with_a_device_and_a_fifo(tmp_path: Path) -> None:
    z = tmp_path / "repos" / "z"
    f = tmp_path / "repos" / "f"
    z.mkdir(parents=True)
    f.mkdir()
    (z / "main.go").write_text(LEAK)
    (z / "zero.go").symlink_to("/dev/zero")
    (f / "main.go").write_text(LEAK)
    os.mkfifo(f / "pipe.go")
    db = tmp_path / "a.sqlite"
    code, out, err = cli("audit", "--db", str(db), "--repos-dir", "repos", cwd=tmp_path, timeout=60, preexec=_memory_cap)
    assert code == 0, err
    got = {
        Path(p).name: (s, n)
        for p, s, n in rows(
            db, "SELECT r.path, r.status, count(f.id) FROM repositories r LEFT JOIN findings f ON f.repo_id = r.id GROUP BY r.id"
        )
    }
    assert got == {"z": ("ok", 1), "f": ("ok", 1)}
    notes = dict(rows(db, "SELECT path, error FROM repositories"))
    assert all("not a regular file" in n for n in notes.values()), notes
    assert "audited 0 of 2 repositories (2 unchanged" in cli("audit", "--db", str(db), "--repos-dir", "repos", cwd=tmp_path, timeout=60)[1]


def test_source_hash_ignores_files_outside_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside.go"
    outside.write_text(LEAK)
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "main.go").write_text(LEAK)
    (repo / "link.go").symlink_to(outside)
    before = runner.source_hash(str(repo))
    (tmp_path / "via-link").symlink_to(repo)
    assert runner.source_hash(str(tmp_path / "via-link")) == before  # the same repository, the same sources
    outside.write_text(LEAK + "// changed\n")
    assert runner.source_hash(str(repo)) == before  # the outside file's content is never read


# --- 4.10, #16.14: the auditor's configuration governs ---------------------------------------


@pytest.fixture
def evil_and_good(tmp_path: Path) -> Path:
    base = tmp_path / "repos"
    for name in ("a-evil", "b-good", "c-good"):
        (base / name).mkdir(parents=True)
        (base / name / "main.go").write_text(LEAK)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "marker.yaml").write_text("this is not a rule file: [\n")
    (base / "a-evil" / ".goplumber.yaml").write_text("rules:\n  enable: []\nrule-dirs: [../../elsewhere]\n")
    return base


@pytest.mark.parametrize(
    "listing",
    [["repos/a-evil", "repos/b-good", "repos/c-good"], ["repos/b-good", "repos/c-good", "repos/a-evil"], ["--repos-dir", "repos"]],
    ids=["evil-first", "evil-last", "repos-dir"],
)
def test_a_repository_config_is_ignored(evil_and_good: Path, tmp_path: Path, listing: list[str], run) -> None:
    db = tmp_path / "a.sqlite"
    code, out, err = run("audit", "--db", str(db), *listing, cwd=tmp_path)
    assert code == 0, err
    assert "3 files, 3 findings" in out, out  # one per repository, the evil one included
    assert rows(db, "SELECT count(*) FROM repositories WHERE status = 'ok'") == [(3,)]


def test_the_auditors_config_governs_every_repository(evil_and_good: Path, tmp_path: Path, run) -> None:
    (tmp_path / ".goplumber.yaml").write_text("severity:\n  time-after-in-loop: info\n")
    db = tmp_path / "a.sqlite"
    code, out, err = run("audit", "--db", str(db), "repos/a-evil", "repos/b-good", cwd=tmp_path)
    assert code == 0, err
    assert rows(db, "SELECT DISTINCT severity FROM findings") == [("info",)]  # the rule's own: error
    assert rows(db, "SELECT count(*) FROM findings") == [(2,)]
    own = tmp_path / "auditor.yaml"
    own.write_text("rules:\n  disable: [time-after-in-loop]\n")
    code, out, err = run("audit", "--db", str(tmp_path / "b.sqlite"), "--config", str(own), "--repos-dir", "repos", cwd=tmp_path)
    assert code == 0 and "0 findings" in out, out + err


# --- 4.11, 4.12, #16.3: the rerun key and one identity per repository ------------------------


def test_rerun_reaudits_when_rules_options_or_config_change(tmp_path: Path, run) -> None:
    (tmp_path / "r" / "a").mkdir(parents=True)
    (tmp_path / "r" / "a" / "a.go").write_text(LEAK)
    (tmp_path / "r" / "a" / "b.go").write_text(LABEL.replace("package main", "package p"))
    (tmp_path / "r" / "b").mkdir()
    (tmp_path / "r" / "b" / "main.go").write_text(LABEL)
    db = str(tmp_path / "s.sqlite")

    def audit(*extra: str) -> str:
        code, out, err = run("audit", "--db", db, "--repos-dir", "r", *extra, cwd=tmp_path)
        assert code == 0, err
        return out

    assert "audited 2 of 2" in audit("--select", "time-after-in-loop")
    assert rows(Path(db), "SELECT DISTINCT rule_id FROM findings") == [("time-after-in-loop",)]
    assert "audited 2 of 2" in audit()  # another selection: re-audited, every rule's findings
    assert {r for (r,) in rows(Path(db), "SELECT rule_id FROM findings")} == {"time-after-in-loop", "unbounded-label"}
    assert "audited 0 of 2 repositories (2 unchanged" in audit()
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = (ROOT / "rules" / "unstopped-ticker.yaml").read_text().replace("id: unstopped-ticker", "id: my-ticker")
    (rules / "my.yaml").write_text(rule)
    assert "audited 2 of 2" in audit("--rules", str(rules))
    assert "audited 0 of 2 repositories (2 unchanged" in audit("--rules", str(rules))
    (rules / "my.yaml").write_text(rule + "# a comment: only the rule file's content changed\n")
    assert "audited 2 of 2" in audit("--rules", str(rules))
    (tmp_path / ".goplumber.yaml").write_text("severity:\n  unbounded-label: error\n")
    assert "audited 2 of 2" in audit("--rules", str(rules))
    assert "audited 2 of 2" in audit("--rules", str(rules), "--timeout-per-file", "20")
    keys = rows(Path(db), "SELECT count(DISTINCT audit_key) FROM runs")
    assert keys == [(6,)]  # select, all, --rules, the rule file edited, config, timeout


def test_one_repository_however_it_is_reached(tmp_path: Path, run) -> None:
    (tmp_path / "r" / "a").mkdir(parents=True)
    (tmp_path / "r" / "a" / "main.go").write_text(LEAK)
    (tmp_path / "link").symlink_to(tmp_path / "r" / "a")
    db = str(tmp_path / "p.sqlite")
    for given in ("r/a", str(tmp_path / "r" / "a"), "link", "./r/../r/a/"):
        code, out, err = run("audit", "--db", db, given, cwd=tmp_path)
        assert code == 0, err
    assert rows(Path(db), "SELECT path FROM repositories") == [(str((tmp_path / "r" / "a").resolve()),)]
    assert rows(Path(db), "SELECT path FROM findings") == [("main.go",)]  # relative to the repository
    code, out, _ = run("report", "--db", db, "--format", "json", cwd=tmp_path)
    assert json.loads(out)["totals"] == {"repositories": 1, "failed": 0, "files": 1, "lines": 12, "findings": 1}
    code, out, err = run("audit", "--db", db, "r/a", str(tmp_path / "r" / "a"), "link", cwd=tmp_path)
    assert "of 1 repositories" in out, out + err


def test_clones_in_two_shards_are_one_repository(tmp_path: Path, run) -> None:
    origin = tmp_path / "origin"
    git_repo(origin, {"main.go": LEAK})
    for name in ("one", "two"):
        subprocess.run(["git", "clone", "-q", str(origin), str(tmp_path / name)], check=True, capture_output=True)
        assert run("audit", "--db", f"{name}.sqlite", name, cwd=tmp_path)[0] == 0
    code, out, _ = run("report", "--db", "one.sqlite", "--db", "two.sqlite", "--format", "json", cwd=tmp_path)
    doc = json.loads(out)
    assert doc["totals"]["repositories"] == 1 and doc["totals"]["findings"] == 1
    assert doc["repositories"][0]["remote"] == str(origin)


# --- 4.2, 4.3, 4.6, #16.6: stores, outputs and the scheduler -----------------------------------


def test_store_waits_for_a_concurrent_writer(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    path.touch()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another audit creating the schema: WAL cannot be set now
    release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        store = Store(str(path))  # used to fail at once: database is locked
        store.close()
    finally:
        release.join()
        holder.close()
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_two_audits_start_together_on_a_new_store(tmp_path: Path) -> None:
    (tmp_path / "one" / "r").mkdir(parents=True)
    (tmp_path / "one" / "r" / "main.go").write_text(LEAK)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"}
    for _ in range(2):
        for p in tmp_path.glob("s.sqlite*"):
            p.unlink()
        cmd = [sys.executable, "-m", "linter", "audit", "--repos-dir", "one", "--db", "s.sqlite"]
        procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], results
        assert rows(tmp_path / "s.sqlite", "SELECT count(*) FROM repositories") == [(1,)]


def _file_size_cap(limit: int):  # type: ignore[no-untyped-def]
    def cap() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return cap


def test_disk_full_is_one_line_and_the_store_stays_intact(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / "small" / f"r{i:02}").mkdir(parents=True)
        (tmp_path / "small" / f"r{i:02}" / "main.go").write_text(LEAK)
    code, out, err = cli("audit", "--repos-dir", "small", "--db", "a.sqlite", cwd=tmp_path, preexec=_file_size_cap(60_000))
    one_line_error(code, "\n".join(ln for ln in err.splitlines() if not ln.startswith("audit: ")))
    assert "cannot record a repository" in err
    assert rows(tmp_path / "a.sqlite", "PRAGMA integrity_check") == [("ok",)]
    (kept,) = rows(tmp_path / "a.sqlite", "SELECT count(*) FROM repositories")[0]
    assert 0 < kept < 40
    code, out, err = cli("audit", "--repos-dir", "small", "--db", "a.sqlite", cwd=tmp_path)
    assert code == 0 and f"audited {40 - kept} of 40 repositories ({kept} unchanged" in out, out + err
    assert rows(tmp_path / "a.sqlite", "SELECT count(*), count(DISTINCT repo_id) FROM findings") == [(40, 40)]


V0_SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY, started REAL NOT NULL, finished REAL, goplumber_version TEXT NOT NULL, arguments TEXT NOT NULL, shard TEXT);
CREATE TABLE repositories (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, run_id INTEGER REFERENCES runs(id), git_commit TEXT,
    content_hash TEXT, go_version TEXT, files INTEGER NOT NULL DEFAULT 0, lines INTEGER NOT NULL DEFAULT 0, duration REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL, error TEXT, checked_at REAL NOT NULL);
CREATE TABLE findings (id INTEGER PRIMARY KEY, repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE, rule_id TEXT NOT NULL,
    severity TEXT NOT NULL, path TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, fingerprint TEXT NOT NULL, message TEXT NOT NULL,
    snippet TEXT NOT NULL);
INSERT INTO runs VALUES (1, 1.0, 2.0, '0.1.0', 'audit old', NULL);
INSERT INTO repositories VALUES (1, '/old/repo', 1, NULL, 'h', NULL, 1, 10, 0.1, 'ok', NULL, 1.0);
INSERT INTO findings VALUES (1, 1, 'time-after-in-loop', 'warning', 'main.go', 9, 8, 'f', 'm', 's');
"""


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("stores")
    (tmp_path / "r" / "a").mkdir(parents=True)
    (tmp_path / "r" / "a" / "main.go").write_text(LEAK)
    assert cli("audit", "--db", "ok.sqlite", "--repos-dir", "r", cwd=tmp_path)[0] == 0
    data = (tmp_path / "ok.sqlite").read_bytes()
    (tmp_path / "empty.sqlite").touch()
    (tmp_path / "garbage.sqlite").write_bytes(os.urandom(50_000))
    (tmp_path / "truncated.sqlite").write_bytes(data[: len(data) // 2])
    corrupted = bytearray(data)
    corrupted[100:300] = os.urandom(200)  # the schema page
    (tmp_path / "corrupted.sqlite").write_bytes(bytes(corrupted))
    (tmp_path / "newer.sqlite").write_bytes(data)
    con = sqlite3.connect(tmp_path / "newer.sqlite")
    con.execute("ALTER TABLE findings RENAME COLUMN col TO column_start")
    con.commit()
    con.close()
    (tmp_path / "future.sqlite").write_bytes(data)
    con = sqlite3.connect(tmp_path / "future.sqlite")
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.commit()
    con.close()
    con = sqlite3.connect(tmp_path / "foreign.sqlite")
    con.execute("CREATE TABLE customers (name TEXT)")
    con.commit()
    con.close()
    con = sqlite3.connect(tmp_path / "v0.sqlite")
    con.executescript(V0_SCHEMA)
    con.close()
    (tmp_path / "adir.sqlite").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "store", ["empty", "garbage", "truncated", "corrupted", "newer", "future", "foreign", "adir", "missing", "nodir/x"]
)
def test_report_on_a_bad_store_is_one_line(stores: Path, store: str, run) -> None:
    one_line_error(*run("report", "--db", f"{store}.sqlite", "--format", "json", cwd=stores)[::2])


@pytest.mark.parametrize("store", ["garbage", "newer", "future", "foreign", "adir", "nodir/x"])
def test_audit_into_a_bad_store_is_one_line(stores: Path, store: str, run) -> None:
    path = stores / f"{store}.sqlite"
    before = path.read_bytes() if path.is_file() else None
    one_line_error(*run("audit", "--db", str(path), "--force", "--repos-dir", "r", cwd=stores)[::2])
    if before is not None:
        assert path.read_bytes() == before  # nothing added to a file that is not a goplumber store


def test_audit_upgrades_a_store_of_the_first_schema_and_a_new_empty_file(stores: Path, tmp_path: Path, run) -> None:
    for name in ("v0.sqlite", "empty.sqlite"):
        (tmp_path / name).write_bytes((stores / name).read_bytes())
    (tmp_path / "r").symlink_to(stores / "r")
    stores = tmp_path
    code, out, err = run("audit", "--db", "v0.sqlite", "--repos-dir", "r", cwd=stores)
    assert code == 0, err
    assert rows(stores / "v0.sqlite", "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(stores / "v0.sqlite", "PRAGMA application_id") == [(APPLICATION_ID,)]
    assert rows(stores / "v0.sqlite", "SELECT count(*) FROM repositories") == [(2,)]
    code, out, err = run("report", "--db", "v0.sqlite", "--format", "md", cwd=stores)
    assert code == 0 and "not recorded" in out, err
    code, out, err = run("audit", "--db", "empty.sqlite", "--repos-dir", "r", cwd=stores)
    assert code == 0, err


def test_report_output_that_cannot_be_written(stores: Path, run) -> None:
    one_line_error(*run("report", "--db", "ok.sqlite", "--output", "missing/x.html", cwd=stores)[::2])
    one_line_error(*run("report", "--db", "ok.sqlite", "--output", "adir.sqlite", cwd=stores)[::2])
    full = Path("/dev/full")
    if full.exists():
        one_line_error(*run("report", "--db", "ok.sqlite", "--output", str(full), cwd=stores)[::2])


def test_store_errors_in_process(stores: Path) -> None:
    with pytest.raises(StoreError, match="not a goplumber audit store"):
        Store(str(stores / "foreign.sqlite"))
    with pytest.raises(StoreError, match="newer goplumber"):
        Store(str(stores / "future.sqlite"))


def test_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "main.go").write_text(LEAK)
    env = {"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    one_line_error(*cli("audit", "--db", "a.sqlite", "--scheduler", "tcp://127.0.0.1:1", "r", cwd=tmp_path, env=env)[::2])


# --- 1.24, 7.1: names that are not UTF-8 ------------------------------------------------------


def test_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    bad = os.fsdecode(b"bad\xff.go")
    plain = tmp_path / "repos" / "plain"
    plain.mkdir(parents=True)
    (plain / bad).write_text(LEAK)
    git_repo(tmp_path / "repos" / "git", {bad: LEAK})
    odd = tmp_path / "repos" / os.fsdecode(b"odd\xfe")
    odd.mkdir()
    (odd / "main.go").write_text(LEAK)
    db = tmp_path / "a.sqlite"
    code, out, err = cli("audit", "--db", str(db), "--repos-dir", "repos", cwd=tmp_path)
    assert code == 0 and "Traceback" not in err, err
    got = rows(db, "SELECT r.path, r.status, f.path FROM repositories r JOIN findings f ON f.repo_id = r.id ORDER BY r.path")
    assert [(Path(p).name, s, f) for p, s, f in got] == [
        ("git", "ok", "bad\\xff.go"),
        ("odd\\xfe", "ok", "main.go"),
        ("plain", "ok", "bad\\xff.go"),
    ]
    assert "audited 0 of 3 repositories (3 unchanged" in cli("audit", "--db", str(db), "--repos-dir", "repos", cwd=tmp_path)[1]
    for fmt in ("json", "md", "csv", "html"):
        code, out, err = cli("report", "--db", str(db), "--format", fmt, cwd=tmp_path)
        assert code == 0 and "bad\\xff.go" in out.replace("\\\\", "\\"), err


def test_list_file_that_is_not_utf8(tmp_path: Path) -> None:
    repo = tmp_path / os.fsdecode(b"r\xff")
    repo.mkdir()
    (repo / "main.go").write_text(LEAK)
    (tmp_path / "list.txt").write_bytes(b"r\xff\n# comment \xfe\n")
    code, out, err = cli("audit", "--db", "a.sqlite", "--list", "list.txt", cwd=tmp_path)
    assert code == 0 and "audited 1 of 1" in out, err
    assert [Path(p).name for (p,) in rows(tmp_path / "a.sqlite", "SELECT path FROM repositories WHERE status = 'ok'")] == ["r\\xff"]


# --- 5.2, 5.3: report escaping ----------------------------------------------------------------

HOSTILE_REPOS = ["<img src=x onerror=alert(1)>", '"><svg onload=alert(2)>', "=2+5", "+SUM(1+1)", "@SUM(1+1)", "-2+3", "a`b*c*_d_|e"]
FORMULA_FILES = ["=HYPERLINK(1).go", "+SUM(1).go", "-2+3.go", "@SUM(1).go", "\tx.go"]
HOSTILE_GO = """package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

var requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "r"}, []string{"path"})

func h(w http.ResponseWriter, r *http.Request) {
	requests.WithLabelValues("</td></tr></table><script>alert(4)</script>" + r.URL.Path).Inc()
	requests.WithLabelValues(`a<img src=x onerror=alert(5)>` + r.URL.Path).Inc()
}
"""


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("hostile")
    base = tmp_path / "repos"
    for name in HOSTILE_REPOS:
        (base / name).mkdir(parents=True)
        (base / name / "main.go").write_text(LEAK)
    odd = base / "files"
    (odd / "<script>alert(8)</script>").mkdir(parents=True)
    (odd / "<script>alert(8)</script>" / "x.go").write_text(LEAK)
    (odd / "ctl\x01.go").write_text(LEAK)
    (odd / "a`b<i>i`.go").write_text(LEAK)
    (odd / "h.go").write_text(HOSTILE_GO)
    for name in FORMULA_FILES:
        (base / "formulas" / name).parent.mkdir(exist_ok=True)
        (base / "formulas" / name).write_text(LEAK)
    db = tmp_path / "h.sqlite"
    code, out, err = cli("audit", "--db", str(db), "--repos-dir", "repos", cwd=tmp_path)
    assert code == 0, err
    return db


class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [k for k, _ in attrs if k.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_markdown_report_escapes_html_and_backticks(hostile_store: Path, tmp_path: Path, run) -> None:
    from markdown_it import MarkdownIt

    code, md, err = run("report", "--db", str(hostile_store), "--format", "md", cwd=tmp_path)
    assert code == 0, err
    rendered = MarkdownIt("commonmark").enable("table").render(md)
    parsed = _Elements()
    parsed.feed(rendered)
    assert parsed.handlers == []
    allowed = {"h1", "h2", "p", "strong", "code", "table", "thead", "tbody", "tr", "th", "td", "ul", "li", "br"}
    assert set(parsed.tags) <= allowed, set(parsed.tags) - allowed
    shown = "".join(parsed.text)
    for name in HOSTILE_REPOS:
        assert name in shown  # every hostile string visible as text
    assert "<script>alert(8)</script>/x.go" in shown
    assert "</td></tr></table><script>alert(4)</script>" in shown
    assert "(`a<img src=x onerror=alert(5)>` + r.URL.Path)" in shown  # the backticks stay inside their code span
    assert "ctl\\x01.go" in shown and "\x01" not in md


def test_csv_report_neutralises_formulas_and_controls(hostile_store: Path, tmp_path: Path, run) -> None:
    code, out, err = run("report", "--db", str(hostile_store), "--format", "csv", cwd=tmp_path)
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    header, body = table[0], table[1:]
    assert len(body) == 12 + len(FORMULA_FILES)
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
            assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in cell), row
    repos = {Path(r[header.index("repo")].lstrip("'")).name for r in body}
    assert {"=2+5", "+SUM(1+1)", "@SUM(1+1)", "-2+3"} <= repos
    assert any(r[header.index("path")] == "ctl\\x01.go" for r in body)
    paths = {r[header.index("path")] for r in body}
    assert {"'=HYPERLINK(1).go", "'+SUM(1).go", "'-2+3.go", "'@SUM(1).go", "'\\tx.go"} <= paths


def test_html_report_stays_escaped(hostile_store: Path, tmp_path: Path, run) -> None:
    code, page, err = run("report", "--db", str(hostile_store), "--format", "html", cwd=tmp_path)
    assert code == 0, err
    parsed = _Elements()
    parsed.feed(page)
    assert parsed.handlers == [] and parsed.tags.count("script") == 1 and "img" not in parsed.tags


# --- #16.13: what produced the report; failures shown ------------------------------------------


def test_reports_state_version_rules_options_and_failures(tmp_path: Path, run) -> None:
    (tmp_path / "r" / "a").mkdir(parents=True)
    (tmp_path / "r" / "a" / "main.go").write_text(LEAK)
    (tmp_path / "r" / "b").mkdir()
    (tmp_path / "r" / "b" / "main.go").write_text(LEAK)
    (tmp_path / "r" / "gone").write_text("a file, not a directory")
    db = str(tmp_path / "a.sqlite")
    assert run("audit", "--db", db, "r/a", "--select", "time-after-in-loop,unbounded-label", cwd=tmp_path)[0] == 0
    assert run("audit", "--db", db, "r/b", "r/gone", "--ignore", "unclosed-client", cwd=tmp_path)[0] == 0
    code, out, _ = run("report", "--db", db, "--format", "json", cwd=tmp_path)
    doc = json.loads(out)
    runs = {r["run"]: r for r in doc["runs"]}
    by_path = {Path(r["path"]).name: r for r in doc["repositories"]}
    first, second = runs[by_path["a"]["run"]], runs[by_path["b"]["run"]]
    assert first["rules"] == ["time-after-in-loop", "unbounded-label"] and first["options"]["select"] == first["rules"]
    assert "unclosed-client" not in second["rules"] and second["options"]["ignore"] == ["unclosed-client"]
    assert first["goplumber_version"] == second["goplumber_version"] == doc["goplumber"]
    assert by_path["gone"]["run"] == by_path["b"]["run"] and by_path["gone"]["status"] == "error"
    code, page, _ = run("report", "--db", db, "--format", "html", cwd=tmp_path)
    assert (
        'id="runs"' in page
        and "time-after-in-loop, unbounded-label" in page
        and "&quot;ignore&quot;: [&quot;unclosed-client&quot;]" in page
    )
    heat = page[page.index('id="heatmap"') : page.index("</svg>", page.index('id="heatmap"'))]
    assert "gone (failed)" in heat and "not a directory" in heat
    code, md, _ = run("report", "--db", db, "--format", "md", cwd=tmp_path)
    failed = md[md.index("## Failed repositories") : md.index("## Worst files")]
    assert "gone" in failed and "not a directory" in failed
    assert "## Runs" in md and "time\\-after\\-in\\-loop" not in md and "time-after-in-loop, unbounded-label" in md


# --- Ctrl-C --------------------------------------------------------------------------------


def test_ctrl_c_stops_the_pool_without_tracebacks(tmp_path: Path) -> None:
    body = LEAK + "".join(
        f"\nfunc g{i}(in chan int) {{\n\tfor {{\n\t\tselect {{\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second):\n\t\t}}\n\t}}\n}}\n"
        for i in range(300)
    )
    for i in range(60):
        (tmp_path / "many" / f"r{i:02}").mkdir(parents=True)
        (tmp_path / "many" / f"r{i:02}" / "main.go").write_text(body)
    db = tmp_path / "a.sqlite"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "linter", "audit", "--jobs", "2", "--repos-dir", "many", "--db", str(db)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches it
        preexec_fn=_default_sigint,  # a shell's background job would inherit SIGINT ignored
    )
    try:
        for _ in range(1200):  # until the first repository is recorded (safety net: 60 s)
            if db.exists() and proc.poll() is None:
                try:
                    if rows(db, "SELECT count(*) FROM repositories")[0][0] > 0:
                        break
                except sqlite3.OperationalError:
                    pass
            time.sleep(0.05)
        assert proc.poll() is None, "the audit ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted" in err
    kept = rows(db, "SELECT count(*) FROM repositories")[0][0]
    assert 0 < kept < 60
    assert rows(db, "SELECT count(*) FROM findings")[0][0] == kept * 301


def test_interrupt_in_process_keeps_finished_repositories(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / "r" / name).mkdir(parents=True)
        (tmp_path / "r" / name / "main.go").write_text(LEAK)
    db = tmp_path / "a.sqlite"

    def interrupt(progress: runner.Progress, outcome: runner.RepoOutcome | None) -> None:
        raise KeyboardInterrupt

    repos = runner.repositories([], None, str(tmp_path / "r"))
    with pytest.raises(KeyboardInterrupt):
        runner.run(repos, Options(), str(db), jobs=2, report=interrupt)
    assert rows(db, "SELECT count(*) FROM repositories") == [(1,)]
    assert rows(db, "SELECT count(*) FROM runs WHERE finished IS NOT NULL") == [(1,)]


@pytest.mark.parametrize(
    "value", ["1. x", "12) y", "- a", "+ b", "# h", "> q", "*e* _f_ [l](http://x) ![i](x)", "a|b", "`c`", "<b>x</b> &amp;", "0.1.0"]
)
def test_markdown_text_stays_text_at_the_start_of_a_list_item(value: str) -> None:
    from markdown_it import MarkdownIt

    from linter.audit.report import _md

    parsed = _Elements()
    parsed.feed(MarkdownIt("commonmark").render(f"- {_md(value)}\n"))
    assert parsed.tags == ["ul", "li"] and "".join(parsed.text).strip() == value
    assert _md("0.1.0") == "0.1.0"  # escapes only where Markdown would read one
