"""Result cache, one entry per checked directory (package): interprocedural checks read sibling
files, so the key covers every `.go` file of the directory, plus the rule set (rule file bytes,
config, selection), goplumber's version and the Go version. Entries are written atomically
(temp file + rename), so concurrent runs never read half an entry; a changed rule or config
changes the key, so an entry is never stale."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from linter import __version__
from linter.model import FileError, Finding


def default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "goplumber")


def ruleset_digest(rules: list[Any], extra: str = "") -> str:
    h = hashlib.sha256(__version__.encode())
    seen: set[str] = set()
    for r in sorted(rules, key=lambda r: r.id):
        h.update(f"{r.id}\0{r.severity}\0{r.go_version!r}\0{json.dumps(r.check_params, sort_keys=True, default=str)}\0".encode())
        if r.source not in seen:
            seen.add(r.source)
            try:
                with open(r.source, "rb") as fh:
                    h.update(fh.read())
            except OSError:
                h.update(r.source.encode())
    h.update(extra.encode())
    return h.hexdigest()


def group_key(paths: list[str], directory: str, ruleset: str, go_version: Any, explicit: set[str]) -> str | None:
    """None when the directory cannot be read (then nothing is cached)."""
    h = hashlib.sha256(f"{ruleset}\0{go_version}\0".encode())
    try:
        names = sorted(n for n in os.listdir(directory or ".") if n.endswith(".go"))
    except OSError:
        return None
    for p in sorted(paths):
        h.update(f"checked\0{p}\0{p in explicit}\0".encode())
    for n in names:
        try:
            with open(os.path.join(directory, n), "rb") as fh:
                h.update(n.encode() + b"\0" + hashlib.sha256(fh.read()).digest())
        except OSError:
            return None
    gomod = _nearest_gomod(directory)
    if gomod:
        h.update(gomod)
    return h.hexdigest()


def _nearest_gomod(directory: str) -> bytes | None:
    d = os.path.abspath(directory or ".")
    while True:
        p = os.path.join(d, "go.mod")
        if os.path.isfile(p):
            try:
                with open(p, "rb") as fh:
                    return fh.read()
            except OSError:
                return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def load(cache_dir: str, key: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(cache_dir, key[:2], key + ".json"), encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and doc.get("version") == __version__ else None


def store(cache_dir: str, key: str, doc: dict[str, Any]) -> None:
    target_dir = os.path.join(cache_dir, key[:2])
    try:
        os.makedirs(target_dir, exist_ok=True)
        import tempfile  # only when writing: a run that only reads the cache never needs it

        fd, tmp = tempfile.mkstemp(dir=target_dir, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({**doc, "version": __version__}, fh)
        os.replace(tmp, os.path.join(target_dir, key + ".json"))
    except OSError:
        pass  # a read-only or full disk must not fail the run


def findings_to_doc(
    findings: list[Finding], errors: list[FileError], stats: dict[str, Any], unused: list[Any], suppressed: int
) -> dict[str, Any]:
    return {
        "findings": [{**f.to_json(), "snippet": f.snippet, "stmt_lines": list(f.stmt_lines)} for f in findings],
        "errors": [e.to_json() for e in errors],
        "stats": stats,
        "unused": [list(u) for u in unused],
        "suppressed": suppressed,
    }


def findings_from_doc(doc: dict[str, Any]) -> tuple[list[Finding], list[FileError]]:
    findings = [
        Finding(
            path=d["path"],
            line=d["line"],
            column=d["column"],
            end_line=d["end_line"],
            end_column=d["end_column"],
            rule_id=d["rule_id"],
            severity=d["severity"],
            message=d["message"],
            snippet=d.get("snippet", ""),
            stmt_lines=tuple(d.get("stmt_lines", (0, 0))),  # type: ignore[arg-type]
        )
        for d in doc["findings"]
    ]
    errors = [FileError(e["path"], e["message"]) for e in doc["errors"]]
    return findings, errors
