"""The audit store: one SQLite file holding runs, repositories and findings.

One transaction per repository, so an interrupted audit keeps everything it finished; a
repository is identified by its path and remembered with its git commit (or, outside git, a
hash of its Go sources), so a rerun skips what is unchanged."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from linter import __version__
from linter.model import Finding

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    finished REAL,
    goplumber_version TEXT NOT NULL,
    arguments TEXT NOT NULL,
    shard TEXT
);
CREATE TABLE IF NOT EXISTS repositories (
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
    checked_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
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
);
CREATE INDEX IF NOT EXISTS findings_repo ON findings(repo_id);
CREATE INDEX IF NOT EXISTS findings_rule ON findings(rule_id);
"""


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


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        self.db = sqlite3.connect(path, timeout=60)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.executescript(SCHEMA)
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def start_run(self, arguments: str, shard: str | None) -> int:
        cur = self.db.execute(
            "INSERT INTO runs(started, goplumber_version, arguments, shard) VALUES (?, ?, ?, ?)",
            (time.time(), __version__, arguments, shard),
        )
        self.db.commit()
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (time.time(), run_id))
        self.db.commit()

    def is_done(self, path: str, git_commit: str | None, content_hash: str | None) -> bool:
        row = self.db.execute("SELECT git_commit, content_hash, status FROM repositories WHERE path = ?", (path,)).fetchone()
        if row is None or row[2] != "ok":
            return False
        if git_commit is not None:
            return bool(row[0] == git_commit)
        return content_hash is not None and row[1] == content_hash

    def record(self, run_id: int, o: RepoOutcome) -> None:
        """Replace everything known about this repository, atomically."""
        with self.db:
            self.db.execute("DELETE FROM repositories WHERE path = ?", (o.path,))
            cur = self.db.execute(
                "INSERT INTO repositories(path, run_id, git_commit, content_hash, go_version, files, lines, duration, status, error, checked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (o.path, run_id, o.git_commit, o.content_hash, o.go_version, o.files, o.lines, o.duration, o.status, o.error, time.time()),
            )
            repo_id = cur.lastrowid
            self.db.executemany(
                "INSERT INTO findings(repo_id, rule_id, severity, path, line, col, fingerprint, message, snippet) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(repo_id, f.rule_id, f.severity, f.path, f.line, f.column, f.fingerprint, f.message, f.snippet) for f in o.findings],
            )


def read_all(paths: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Repositories and findings of one or more stores, merged (the newest check of a path wins)."""
    repos: dict[str, dict[str, Any]] = {}
    findings: dict[str, list[dict[str, Any]]] = {}
    for p in paths:
        db = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        try:
            for r in db.execute("SELECT * FROM repositories"):
                row = dict(r)
                old = repos.get(row["path"])
                if old is not None and old["checked_at"] >= row["checked_at"]:
                    continue
                repos[row["path"]] = row
                findings[row["path"]] = [
                    dict(f) for f in db.execute("SELECT * FROM findings WHERE repo_id = ? ORDER BY path, line, col, rule_id", (row["id"],))
                ]
        finally:
            db.close()
    ordered = sorted(repos.values(), key=lambda r: r["path"])
    return {
        "repositories": ordered,
        "findings": [dict(f, repo=r["path"]) for r in ordered for f in findings[r["path"]]],
    }
