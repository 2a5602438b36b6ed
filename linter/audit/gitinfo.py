"""What an audit needs to know about a git checkout, read as data: never by running git.

Running git inside an audited repository runs whatever that repository's `.git/config` names
(`core.fsmonitor`, filters, hooks...). So the commit is read from `HEAD`, the ref files and
`packed-refs`, and the remote URL from the `config` file, parsed here without following
`include`s. Worktrees and submodules (`.git` is a file saying `gitdir: ...`, with `commondir`)
and a detached HEAD are handled; an unborn branch, a missing ref, a reftable repository or any
unreadable piece gives no commit instead of an error. Only small regular files are read (never
a FIFO or a device), and ref names that climb out of the git directory are refused."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from linter.safeio import read_bounded

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")  # SHA-1 or SHA-256
_SMALL = 1 << 16  # HEAD, a ref file, .git (a gitdir: file), commondir
_CONFIG = 1 << 20
_PACKED_REFS = 256 << 20


@dataclass(frozen=True)
class GitInfo:
    commit: str | None  # what HEAD names; None when it cannot be told (unborn branch, missing ref)
    remote: str | None  # remote.origin.url (else the first remote's), without credentials


def read_regular(path: str, limit: int) -> bytes | None:
    """The content of `path` when it is a regular file of at most `limit` bytes, else None.
    Checked before opening (opening a device can have effects of its own), then read with
    safeio, which checks the opened descriptor again (a file swapped for a FIFO in between)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        return None
    try:
        return read_bounded(path, limit)
    except (OSError, ValueError):
        return None


def _text(path: str, limit: int = _SMALL) -> str | None:
    data = read_regular(path, limit)
    return None if data is None else data.decode("utf-8", "replace")


def git_dir(repo: str) -> str | None:
    """The repository's git directory: `.git`, or where a `.git` file's `gitdir:` points."""
    dotgit = os.path.join(repo, ".git")
    if os.path.isdir(dotgit):
        return dotgit
    content = _text(dotgit)
    if content is None or not content.startswith("gitdir:"):
        return None
    target = content[len("gitdir:") :].strip()
    if not target or "\0" in target:
        return None
    return os.path.normpath(os.path.join(repo, target))


def _common_dir(gitdir: str) -> str:
    common = _text(os.path.join(gitdir, "commondir"))
    if common and common.strip() and "\0" not in common:
        return os.path.normpath(os.path.join(gitdir, common.strip()))
    return gitdir


def _safe_ref(name: str) -> bool:
    parts = name.split("/")
    return name.startswith("refs/") and "\0" not in name and "\\" not in name and all(p not in ("", ".", "..") for p in parts)


def _resolve(gitdir: str, common: str, head: str) -> str | None:
    value = head.strip()
    for _ in range(5):  # symbolic refs pointing at symbolic refs, a few levels at most
        if _OBJECT_ID.fullmatch(value):
            return value
        if not value.startswith("ref:"):
            return None
        name = value[len("ref:") :].strip()
        if not _safe_ref(name):
            return None
        found = None
        for base in dict.fromkeys((gitdir, common)):  # per-worktree refs first, then the shared ones
            found = _text(os.path.join(base, *name.split("/")))
            if found is not None:
                break
        if found is None:
            return _packed(common, name)
        value = found.strip()
    return None


def _packed(common: str, name: str) -> str | None:
    data = read_regular(os.path.join(common, "packed-refs"), _PACKED_REFS)
    if data is None:
        return None
    wanted = name.encode("utf-8", "surrogateescape")
    for line in data.splitlines():
        if line[:1] in (b"#", b"^"):
            continue
        oid, _, ref = line.partition(b" ")
        if ref.strip() == wanted:
            text = oid.decode("ascii", "replace")
            return text if _OBJECT_ID.fullmatch(text) else None
    return None


def _config_remotes(text: str) -> dict[str, str]:
    """`[remote "NAME"] url = ...` of a git config file, in file order (first url wins)."""
    remotes: dict[str, str] = {}
    section: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        m = re.match(r'\[\s*remote\s+"((?:[^"\\]|\\.)*)"\s*\]', line, re.IGNORECASE)
        if m:
            section = m.group(1).replace('\\"', '"').replace("\\\\", "\\")
            continue
        if line.startswith("["):
            section = None
            continue
        if section is None:
            continue
        key, eq, value = line.partition("=")
        if not eq or key.strip().lower() != "url" or section in remotes:
            continue
        remotes[section] = _config_value(value)
    return remotes


def _config_value(value: str) -> str:
    out = []
    quoted = False
    i = 0
    value = value.strip()
    while i < len(value):
        c = value[i]
        if c == '"':
            quoted = not quoted
        elif c == "\\" and i + 1 < len(value):
            i += 1
            out.append({"n": "\n", "t": "\t", "b": "\b"}.get(value[i], value[i]))
        elif c in "#;" and not quoted:
            break
        else:
            out.append(c)
        i += 1
    return "".join(out).strip()


def without_credentials(url: str) -> str:
    """`https://user:token@host/x` -> `https://host/x` (a report is shared; tokens must not be)."""
    if "://" not in url:
        return url  # scp-like `git@host:path` or a local path: the user name is no secret
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        if parts.scheme == "ssh" and parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port is not None:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    except ValueError:
        return url.split("://", 1)[0] + "://"


def read_git(repo: str) -> GitInfo | None:
    """None when `repo` is not a git checkout (no `.git` directory or `gitdir:` file)."""
    gitdir = git_dir(repo)
    if gitdir is None:
        return None
    common = _common_dir(gitdir)
    head = _text(os.path.join(gitdir, "HEAD"))
    commit = _resolve(gitdir, common, head) if head is not None else None
    remote = None
    config = _text(os.path.join(common, "config"), _CONFIG)
    if config is not None:
        remotes = _config_remotes(config)
        url = remotes.get("origin") or next(iter(remotes.values()), None)
        remote = without_credentials(url) if url else None
    return GitInfo(commit, remote)
