"""Result cache, one entry per checked directory (package): interprocedural checks read sibling
files, so the key covers every `.go` file of the directory, plus the rule set (rule file bytes,
config, selection), goplumber's version and the Go version. Entries are written atomically
(temp file + rename), so concurrent runs never read half an entry; a changed rule or config
changes the key, so an entry is never stale.

A check that reads another package of the module (the taint check following `netutil.ClientIP(r)`
or looking for a vector's cleanup in the package that declares it) says so with `depends_on`;
the entry records a content digest of each such directory's `.go` files, and is stale when any
of them changed (`load_valid`)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
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


# -- other packages a result depended on ------------------------------------------------------
_RECORDING: list[set[str]] = []
_DIGESTS: dict[str, tuple[tuple[tuple[str, int, int], ...], str]] = {}


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collects the directories `depends_on` names while the block runs (one check group)."""
    deps: set[str] = set()
    _RECORDING.append(deps)
    try:
        yield deps
    finally:
        _RECORDING.pop()


def depends_on(directory: str) -> None:
    """The result being computed also depends on the `.go` files of `directory`."""
    if _RECORDING:
        _RECORDING[-1].add(os.path.abspath(directory))


def directory_signature(directory: str) -> tuple[tuple[str, int, int], ...] | None:
    """(name, size, mtime) of each `.go` file of the directory: cheap, from stat alone."""
    try:
        with os.scandir(directory or ".") as it:
            entries = [(e.name, e.stat()) for e in it if e.name.endswith(".go") and e.is_file()]
    except OSError:
        return None
    return tuple(sorted((n, st.st_size, st.st_mtime_ns) for n, st in entries))


def directory_digest(directory: str) -> str | None:
    """A digest of the names and contents of the directory's `.go` files (re-read only when
    their stat signature changed since the last call in this process)."""
    sig = directory_signature(directory)
    if sig is None:
        return None
    got = _DIGESTS.get(directory)
    if got is not None and got[0] == sig:
        return got[1]
    h = hashlib.sha256()
    for name, _, _ in sig:
        try:
            with open(os.path.join(directory, name), "rb") as fh:
                h.update(name.encode() + b"\0" + hashlib.sha256(fh.read()).digest())
        except OSError:
            return None
    digest = h.hexdigest()
    _DIGESTS[directory] = (sig, digest)
    return digest


def dependency_digests(directories: set[str]) -> dict[str, str] | None:
    """{directory: digest} for a cache entry; None when one cannot be read (then no entry)."""
    out = {}
    for d in sorted(directories):
        digest = directory_digest(d)
        if digest is None:
            return None
        out[d] = digest
    return out


def load_valid(cache_dir: str, key: str) -> dict[str, Any] | None:
    """The entry for `key`, unless a package it depended on changed since it was stored."""
    doc = load(cache_dir, key)
    if doc is None:
        return None
    deps = doc.get("deps") or {}
    if not isinstance(deps, dict):
        return None
    for d, digest in deps.items():
        if directory_digest(d) != digest:
            return None
    return doc


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
