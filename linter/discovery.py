"""Which files to check: `.go` files under the given paths, skipping vendored, test-data,
hidden and underscore directories. A file named explicitly is always checked (pre-commit
passes file names), whatever its directory."""

from __future__ import annotations

import os
from collections.abc import Iterator

from linter.model import FileError

SKIP_DIRS = {"vendor", "testdata", "node_modules"}


def discover(paths: list[str], errors: list[FileError]) -> list[str]:
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

    def onerror(e: OSError) -> None:
        errors.append(FileError(e.filename or path, f"cannot read directory: {e.strerror or e}"))

    for root, dirs, files in os.walk(path, onerror=onerror, followlinks=True):
        try:
            st = os.stat(root)
            ident = (st.st_dev, st.st_ino)
        except OSError:
            ident = (0, hash(root))
        if ident in visited:  # a symlink loop
            dirs[:] = []
            continue
        visited.add(ident)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith((".", "_")))
        for name in sorted(files):
            if name.endswith(".go"):
                full = os.path.normpath(os.path.join(root, name))
                if os.path.isfile(full):
                    yield full
                elif os.path.islink(full) and not os.path.exists(full):
                    errors.append(FileError(full, "skipped: broken symbolic link"))
                elif not os.path.isdir(full):
                    errors.append(FileError(full, "skipped: not a regular file"))
