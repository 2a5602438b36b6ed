"""The nearest directory at or above a path that holds a marker: the `go.mod` of a module, the
`.git` of a repository. One memoized walk, shared by the Go version and rule path globs, the
result-cache key, the lifetime check's same-module package lookup, SARIF's repository-relative
URIs and the confinement of a config's rule directories."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=4096)
def nearest(directory: str, marker: str, regular_file: bool = False) -> str | None:
    """The nearest directory at or above `directory` with an entry `marker` (a regular file when
    `regular_file`; otherwise any entry, a dangling link included); None if there is none."""
    d = os.path.abspath(directory or ".")
    while True:
        p = os.path.join(d, marker)
        if os.path.isfile(p) if regular_file else os.path.lexists(p):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def module_root(directory: str) -> str | None:
    """The directory of the nearest go.mod at or above `directory`."""
    return nearest(directory, "go.mod", regular_file=True)


def repository_root(directory: str) -> str | None:
    """The nearest directory at or above `directory` holding `.git` (a directory, or the file of
    a worktree or submodule)."""
    return nearest(directory, ".git")
