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
from linter.fix.model import Fix
from linter.model import FileError, Finding
from linter.safeio import read_bounded

MAX_FILE_BYTES = 10_000_000  # as engine.MAX_FILE_BYTES: a bigger file is never checked
MAX_GOMOD_BYTES = 4 * 1024 * 1024


def default_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "goplumber")


def ruleset_digest(rules: list[Any], extra: str = "") -> str:
    from linter.loader import MAX_RULE_FILE_BYTES

    h = hashlib.sha256(__version__.encode())
    seen: set[str] = set()
    for r in sorted(rules, key=lambda r: r.id):
        h.update(f"{r.id}\0{r.severity}\0{r.go_version!r}\0{json.dumps(r.check_params, sort_keys=True, default=str)}\0".encode())
        if r.source not in seen:
            seen.add(r.source)
            try:
                h.update(read_bounded(r.source, MAX_RULE_FILE_BYTES, "rule file"))
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
        digest = _file_digest(directory, n)
        if digest is None:
            return None
        h.update(digest)
    gomod = _nearest_gomod(directory)
    if gomod:
        h.update(gomod)
    return h.hexdigest()


def _file_digest(directory: str, name: str) -> bytes | None:
    """Name and content digest of a `.go` file; for one that cannot be checked (a FIFO, a
    device, over the size limit) its stat, so the key still changes when it does. None when it
    cannot be stat'ed either."""
    p = os.path.join(directory, name)
    try:
        return name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(read_bounded(p, MAX_FILE_BYTES, "file")).digest()
    except OSError as e:
        try:
            st = os.stat(p)
        except OSError:
            return None
        return f"{name}\0{e}\0{st.st_mode}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape")


def _nearest_gomod(directory: str) -> bytes | None:
    from linter.roots import module_root

    root = module_root(directory or ".")
    if root is None:
        return None
    try:
        return read_bounded(os.path.join(root, "go.mod"), MAX_GOMOD_BYTES, "go.mod")
    except OSError:
        return None


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
        part = _file_digest(directory, name)
        if part is None:
            return None
        h.update(part)
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


MAX_ENTRY_BYTES = 256 * 1024 * 1024  # findings of one directory; far above any real entry


def load(cache_dir: str, key: str) -> dict[str, Any] | None:
    """The entry, or None when it is missing, unreadable, of another version or of the wrong
    shape (a damaged or planted entry is a miss, never an error)."""
    from linter.safeio import read_bounded

    try:
        doc = json.loads(
            read_bounded(os.path.join(cache_dir, key[:2], key + ".json"), MAX_ENTRY_BYTES, "cache entry", follow_symlinks=False)
        )
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("version") != __version__ or not _valid_entry(doc):
        return None
    return doc


_FINDING_FIELDS = {
    "path": str,
    "line": int,
    "column": int,
    "end_line": int,
    "end_column": int,
    "rule_id": str,
    "severity": str,
    "message": str,
}


def _valid_entry(doc: dict[str, Any]) -> bool:
    """The shape findings_from_doc and the engine read; anything else is a miss."""
    findings, errors, stats = doc.get("findings"), doc.get("errors"), doc.get("stats", {})
    if not isinstance(findings, list) or not isinstance(errors, list) or not isinstance(stats, dict):
        return False
    for f in findings:
        if not isinstance(f, dict) or not all(type(f.get(k)) is t for k, t in _FINDING_FIELDS.items()):
            return False
        if not isinstance(f.get("snippet", ""), str):
            return False
        if f.get("fix") is not None:
            try:
                Fix.from_json(f["fix"])
            except ValueError:
                return False
        lines = f.get("stmt_lines", [0, 0])
        if not (isinstance(lines, list) and len(lines) == 2 and all(type(n) is int for n in lines)):
            return False
    if not all(isinstance(e, dict) and isinstance(e.get("path"), str) and isinstance(e.get("message"), str) for e in errors):
        return False
    if not all(type(stats.get(k, 0)) is int for k in ("files", "skipped_generated", "lines")):
        return False
    unused = doc.get("unused", [])
    if not isinstance(unused, list) or not all(
        isinstance(u, list) and len(u) == 3 and isinstance(u[0], str) and type(u[1]) is int and isinstance(u[2], str) for u in unused
    ):
        return False
    deps = doc.get("deps") or {}
    return type(doc.get("suppressed", 0)) is int and isinstance(deps, dict) and all(isinstance(v, str) for v in deps.values())


def store(cache_dir: str, key: str, doc: dict[str, Any]) -> None:
    write_atomic(os.path.join(cache_dir, key[:2], key + ".json"), json.dumps({**doc, "version": __version__}))


def write_atomic(target: str, text: str) -> bool:
    """Write `text` to `target` through a temporary file and a rename, so a concurrent reader
    sees the old file or the new one, never half of one. A cache write that fails (read-only
    or full disk) must not fail the run: False, and the temporary file is removed."""
    import tempfile  # only when writing: a run that only reads the cache never needs it

    tmp = None
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def findings_to_doc(
    findings: list[Finding], errors: list[FileError], stats: dict[str, Any], unused: list[Any], suppressed: int
) -> dict[str, Any]:
    return {
        "findings": [
            {**f.to_json(), "snippet": f.snippet, "stmt_lines": list(f.stmt_lines), "fix": f.fix.to_json() if f.fix is not None else None}
            for f in findings
        ],
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
            fix=Fix.from_json(d["fix"]) if d.get("fix") is not None else None,
        )
        for d in doc["findings"]
    ]
    errors = [FileError(e["path"], e["message"], e.get("kind", "")) for e in doc["errors"]]
    return findings, errors
