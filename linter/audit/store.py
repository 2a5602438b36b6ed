"""The audit store: one SQLite file holding runs, repositories and findings.

One transaction per repository, so an interrupted audit keeps everything it finished. A
repository is identified by its resolved path and remembered with its git commit and remote
URL, a hash of its Go sources and the audit key (version, rule set, options, configuration) it
was checked with, so a rerun skips exactly what is unchanged.

The file is marked as a goplumber store (`PRAGMA application_id`) with its schema version
(`PRAGMA user_version`); `audit` refuses to add its tables to any other SQLite file, and both
commands refuse a store they cannot read with a one-line error (StoreError)."""

from __future__ import annotations

import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from linter import __version__
from linter.model import Finding

APPLICATION_ID = 0x47504C42  # "GPLB"
SCHEMA_VERSION = 1

TABLES = {
    "runs": """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    goplumber_version TEXT NOT NULL,
    arguments TEXT NOT NULL,
    shard TEXT,
    rules TEXT,
    options TEXT,
    audit_key TEXT
)""",
    "repositories": """CREATE TABLE IF NOT EXISTS repositories (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    run_id INTEGER REFERENCES runs(id),
    git_commit TEXT,
    content_hash TEXT,
    go_version TEXT,
    files INTEGER NOT NULL DEFAULT 0,
    lines INTEGER NOT NULL DEFAULT 0,
    duration REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    error TEXT,
    checked_at REAL NOT NULL,
    remote_url TEXT,
    audit_key TEXT
)""",
    "findings": """CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    repo_id INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    rule_id TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT NOT NULL,
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    message TEXT NOT NULL,
    snippet TEXT NOT NULL
)""",
}
INDEXES = (
    "CREATE INDEX IF NOT EXISTS findings_repo ON findings(repo_id)",
    "CREATE INDEX IF NOT EXISTS findings_rule ON findings(rule_id)",
)
# Columns of the first (unversioned) schema; schema 1 added the others to runs and repositories.
V0_COLUMNS = {
    "runs": {"id", "started", "finished", "goplumber_version", "arguments", "shard"},
    "repositories": {
        "id",
        "path",
        "run_id",
        "git_commit",
        "content_hash",
        "go_version",
        "files",
        "lines",
        "duration",
        "status",
        "error",
        "checked_at",
    },
    "findings": {"id", "repo_id", "rule_id", "severity", "path", "line", "col", "fingerprint", "message", "snippet"},
}
ADDED = {"runs": ("rules", "options", "audit_key"), "repositories": ("remote_url", "audit_key")}


class StoreError(Exception):
    """A store that cannot be used (not SQLite, corrupted, foreign, newer, unwritable): one line."""


def text(s: str) -> str:
    """The form text is stored and shown in: names that are not valid UTF-8 (surrogate escapes,
    as os.fsdecode gives them) become backslash-escaped bytes, e.g. `bad\\xff.go`."""
    try:
        return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class RepoOutcome:
    path: str
    git_commit: str | None
    content_hash: str | None
    go_version: str | None
    files: int
    lines: int
    duration: float
    status: str  # ok | error
    error: str | None
    findings: list[Finding]
    remote_url: str | None = None


T = TypeVar("T")


def _locked(e: sqlite3.Error) -> bool:
    return isinstance(e, sqlite3.OperationalError) and ("locked" in str(e) or "busy" in str(e))


def _retry(step: Callable[[], T], deadline: float) -> T:
    """SQLite answers `database is locked` at once (not after the busy timeout) when two
    connections change the journal mode or create the schema together: wait and retry."""
    delay = 0.01
    while True:
        try:
            return step()
        except sqlite3.OperationalError as e:
            if not _locked(e) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def _describe(path: str, e: BaseException) -> str:
    msg = str(e) or type(e).__name__
    if isinstance(e, sqlite3.DatabaseError) and ("not a database" in msg or "malformed" in msg):
        msg += " (not an audit store, or a damaged one)"
    return f"{path}: {msg}"


def _check_path(path: str, writable: bool) -> None:
    if os.path.isdir(path):
        raise StoreError(f"{path}: is a directory, not an audit store")
    if writable:
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise StoreError(f"{path}: no such directory: {parent}")
    elif not os.path.isfile(path):
        raise StoreError(f"{path}: no such audit store")


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def _inspect(db: sqlite3.Connection, path: str) -> tuple[str, int]:
    """("new" | "current" | "v0", version): what kind of file this is, or StoreError."""
    app = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app not in (0, APPLICATION_ID):
        raise StoreError(f"{path}: not a goplumber audit store (an SQLite file of another application)")
    if app == 0:
        if not tables and version == 0:
            return "new", 0
        if version != 0 or not set(V0_COLUMNS) <= tables:
            shown = ", ".join(sorted(tables)[:5]) or "none"
            raise StoreError(f"{path}: not a goplumber audit store (SQLite file with tables: {shown}); audit refuses to add its tables")
    elif version > SCHEMA_VERSION:
        raise StoreError(f"{path}: written by a newer goplumber (store schema {version}; this version reads up to {SCHEMA_VERSION})")
    for table, wanted in V0_COLUMNS.items():
        if table not in tables:
            raise StoreError(f"{path}: damaged audit store: no table {table}")
        missing = sorted(wanted - _columns(db, table))
        if missing:
            raise StoreError(f"{path}: audit store of an unknown schema: table {table} has no column {missing[0]}")
    return ("current" if app == APPLICATION_ID else "v0"), version


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        _check_path(path, writable=True)
        try:
            self.db = sqlite3.connect(path, timeout=60)
        except sqlite3.Error as e:
            raise StoreError(_describe(path, e)) from None
        try:
            deadline = time.monotonic() + 60
            self.db.execute("PRAGMA busy_timeout = 60000")  # before anything that takes a lock
            self.db.execute("PRAGMA foreign_keys = ON")
            _retry(self._prepare, deadline)
            if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                _retry(lambda: self.db.execute("PRAGMA journal_mode = WAL"), deadline)
        except sqlite3.Error as e:
            self.db.close()
            raise StoreError(_describe(path, e)) from None
        except StoreError:
            self.db.close()
            raise

    def _prepare(self) -> None:
        """Check what the file is and create or upgrade the schema, in one write transaction
        (two audits starting together on a new store: the second sees the first's tables)."""
        if self.db.in_transaction:
            self.db.rollback()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            kind, version = _inspect(self.db, self.path)
            if kind == "new" or version < SCHEMA_VERSION:
                for table, ddl in TABLES.items():
                    self.db.execute(ddl)
                    have = _columns(self.db, table)
                    for column in ADDED.get(table, ()):
                        if column not in have:
                            self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
                for ddl in INDEXES:
                    self.db.execute(ddl)
                self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise

    def _write(self, what: str, step: Callable[[], T]) -> T:
        try:
            return step()
        except sqlite3.Error as e:
            try:
                self.db.rollback()
            except sqlite3.Error:
                pass
            raise StoreError(f"{self.path}: cannot {what}: {e} (what was recorded before is kept; rerun to resume)") from None

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    def start_run(self, arguments: str, shard: str | None, rules: list[str], options: dict[str, Any], audit_key: str) -> int:
        import json

        def step() -> int:
            with self.db:
                cur = self.db.execute(
                    "INSERT INTO runs(started, goplumber_version, arguments, shard, rules, options, audit_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (time.time(), __version__, arguments, shard, json.dumps(rules), json.dumps(options, sort_keys=True), audit_key),
                )
            return int(cur.lastrowid or 0)

        return self._write("start a run", step)

    def finish_run(self, run_id: int, quiet: bool = False) -> None:
        def step() -> None:
            with self.db:
                self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (time.time(), run_id))

        try:
            self._write("finish the run", step)
        except StoreError:
            if not quiet:
                raise

    def is_done(self, path: str, audit_key: str, content_hash: str | None) -> bool:
        def step() -> bool:
            row = self.db.execute("SELECT content_hash, audit_key, status FROM repositories WHERE path = ?", (path,)).fetchone()
            if row is None or row[2] != "ok" or content_hash is None:
                return False
            return bool(row[0] == content_hash and row[1] == audit_key)

        return self._write("read", step)

    def record(self, run_id: int, o: RepoOutcome, audit_key: str | None = None) -> None:
        """Replace everything known about this repository, atomically."""
        t = text

        def step() -> None:
            with self.db:
                self.db.execute("DELETE FROM repositories WHERE path = ?", (t(o.path),))
                cur = self.db.execute(
                    "INSERT INTO repositories(path, run_id, git_commit, content_hash, go_version, files, lines, duration, status, error,"
                    " checked_at, remote_url, audit_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        t(o.path),
                        run_id,
                        o.git_commit,
                        o.content_hash,
                        o.go_version,
                        o.files,
                        o.lines,
                        o.duration,
                        o.status,
                        t(o.error) if o.error is not None else None,
                        time.time(),
                        t(o.remote_url) if o.remote_url else None,
                        audit_key,
                    ),
                )
                repo_id = cur.lastrowid
                self.db.executemany(
                    "INSERT INTO findings(repo_id, rule_id, severity, path, line, col, fingerprint, message, snippet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (repo_id, t(f.rule_id), f.severity, t(f.path), f.line, f.column, f.fingerprint, t(f.message), t(f.snippet))
                        for f in o.findings
                    ],
                )

        self._write("record a repository", step)


def _open_read_only(path: str) -> sqlite3.Connection:
    _check_path(path, writable=False)
    if os.path.getsize(path) == 0:
        raise StoreError(f"{path}: empty file, not an audit store")
    uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
    try:
        db = sqlite3.connect(uri, uri=True, timeout=60)
    except sqlite3.Error as e:
        raise StoreError(_describe(path, e)) from None
    try:
        kind, _ = _inspect(db, path)
    except sqlite3.Error as e:
        db.close()
        raise StoreError(_describe(path, e)) from None
    except StoreError:
        db.close()
        raise
    if kind == "new":
        db.close()
        raise StoreError(f"{path}: not an audit store (an SQLite file without its tables)")
    return db


def read_all(paths: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Repositories, findings and the runs that produced them, of one or more stores, merged.
    One repository is one resolved path, or one remote URL + commit + source hash when git
    tells them (so shards audited from different checkouts are not counted twice); the newest
    check wins."""
    import json

    repos: dict[Any, dict[str, Any]] = {}
    findings: dict[Any, list[dict[str, Any]]] = {}
    runs: dict[str, dict[str, Any]] = {}
    for p in paths:
        db = _open_read_only(p)
        db.row_factory = sqlite3.Row
        try:
            store_runs = {r["id"]: dict(r) for r in db.execute("SELECT * FROM runs")}
            for r in db.execute("SELECT * FROM repositories"):
                row = dict(r)
                row.setdefault("remote_url", None)
                row.setdefault("audit_key", None)
                if row["remote_url"] and row["git_commit"] and row["content_hash"]:
                    key: Any = ("git", row["remote_url"], row["git_commit"], row["content_hash"])
                else:
                    key = ("path", row["path"])
                old = repos.get(key)
                if old is not None and old["checked_at"] >= row["checked_at"]:
                    continue
                label = f"{p}#{row['run_id']}" if len(paths) > 1 else f"#{row['run_id']}"
                run = store_runs.get(row["run_id"]) or {}
                runs.setdefault(
                    label,
                    {
                        "run": label,
                        "store": p,
                        "started": run.get("started"),
                        "finished": run.get("finished"),
                        "goplumber_version": run.get("goplumber_version"),
                        "arguments": run.get("arguments"),
                        "shard": run.get("shard"),
                        "rules": json.loads(run["rules"]) if run.get("rules") else None,
                        "options": json.loads(run["options"]) if run.get("options") else None,
                        "audit_key": run.get("audit_key"),
                    },
                )
                row["run"] = label
                repos[key] = row
                findings[key] = [
                    dict(f) for f in db.execute("SELECT * FROM findings WHERE repo_id = ? ORDER BY path, line, col, rule_id", (row["id"],))
                ]
        except sqlite3.Error as e:
            raise StoreError(_describe(p, e)) from None
        except (ValueError, TypeError) as e:
            raise StoreError(f"{p}: damaged audit store: {e}") from None
        finally:
            db.close()
    ordered = sorted(repos.items(), key=lambda kv: kv[1]["path"])
    used = {r["run"] for _, r in ordered}
    return {
        "repositories": [r for _, r in ordered],
        "findings": [dict(f, repo=r["path"]) for k, r in ordered for f in findings[k]],
        "runs": [run for label, run in runs.items() if label in used],
    }
