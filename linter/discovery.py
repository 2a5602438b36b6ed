"""Which files to check: `.go` files under the given paths, skipping vendored, test-data,
hidden and underscore directories. A file named explicitly is always checked (pre-commit
passes file names), whatever its directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from linter.model import FileError

SKIP_DIRS = {"vendor", "testdata", "node_modules"}


def discover(paths: list[str], errors: list[FileError]) -> list[str]:
    if len(paths) == 1:  # one walk yields each path once
        return list(_walk(paths[0], errors))
    out: list[str] = []
    seen: set[str] = set()
    for p in paths:
        for f in _walk(p, errors):
            key = os.path.normcase(os.path.abspath(f))
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def _walk(path: str, errors: list[FileError]) -> Iterator[str]:
    if os.path.isfile(path):
        yield path
        return
    if not os.path.exists(path):
        errors.append(FileError(path, "no such file or directory"))
        return
    if not os.path.isdir(path):
        errors.append(FileError(path, "not a regular file or directory"))
        return
    visited: set[tuple[int, int]] = set()

    def walk(root: str) -> Iterator[str]:
        """Top-down like os.walk(followlinks=True), but on scandir entries: their type comes
        with the directory listing, so a regular file costs no stat of its own."""
        try:
            st = os.stat(root)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            ident = (0, hash(root))
        if ident in visited:  # a symlink loop
            return
        visited.add(ident)
        try:
            with os.scandir(root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as e:
            errors.append(FileError(e.filename or root, f"cannot read directory: {e.strerror or e}"))
            return
        subdirs = []
        # Paths as os.path.normpath would give them, built without calling it per file: `root`
        # is normalised, and a name has no separator.
        prefix = "" if root == os.curdir else root if root.endswith(os.sep) else root + os.sep
        for entry in entries:
            if _is(entry.is_dir):
                if entry.name not in SKIP_DIRS and not entry.name.startswith((".", "_")):
                    subdirs.append(prefix + entry.name)
                continue
            if not entry.name.endswith(".go"):
                continue
            full = prefix + entry.name
            if _is(entry.is_file):
                yield full
            elif _is(entry.is_symlink) and not os.path.exists(full):
                errors.append(FileError(full, "skipped: broken symbolic link"))
            else:
                errors.append(FileError(full, "skipped: not a regular file"))
        for d in subdirs:
            yield from walk(d)

    yield from walk(os.path.normpath(path))


def _is(test: Callable[[], bool]) -> bool:
    try:
        return test()
    except OSError:
        return False
