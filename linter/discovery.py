"""Which files to check: `.go` files under the given paths, skipping vendored, test-data,
hidden and underscore directories. A file named on the command line (pre-commit passes file
names) in a vendor/, testdata/ or node_modules/ directory is skipped too, with a note, unless
`--no-default-excludes` (engine.check_paths, with `excluded_dir_of`).

Like the go tool's `./...`, a walk does not leave the tree it was given: a symbolic link (to a
file or a directory) whose target is outside it is skipped with a note, so a link to `/` or to
another checkout does not make a run read the whole disk or report code from elsewhere. Links
that stay inside the tree are followed, each directory once."""

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


def excluded_dir_of(path: str) -> str | None:
    """The vendor/, testdata/ or node_modules/ directory a named file is in, if any (judged on
    the path relative to the current directory when it is under it, else as given)."""
    ab = os.path.abspath(path)
    cwd = os.getcwd()
    rel = os.path.relpath(ab, cwd) if ab.startswith(cwd + os.sep) else os.path.normpath(path)
    parts = rel.split(os.sep)[:-1]
    return next((p for p in parts if p in SKIP_DIRS), None)


def _walk(path: str, errors: list[FileError]) -> Iterator[str]:
    if os.path.isfile(path):
        yield path
        return
    if not os.path.exists(path):
        if os.path.islink(path):  # named but dangling (a staged symlink): a note, as in a walk
            errors.append(FileError(path, "skipped: broken symbolic link", "not-regular"))
        else:
            errors.append(FileError(path, "no such file or directory", "unreadable"))
        return
    if not os.path.isdir(path):
        errors.append(FileError(path, "not a regular file or directory", "not-regular"))
        return
    visited: set[tuple[int, int]] = set()
    tree = os.path.realpath(path)
    inside = tree.rstrip(os.sep) + os.sep

    def leaves_tree(full: str) -> bool:
        """A symbolic link whose target is outside the walked tree."""
        real = os.path.realpath(full)
        return real != tree and not real.startswith(inside)

    def walk(root: str) -> Iterator[str]:
        """Top-down like os.walk(followlinks=True), but on scandir entries: their type comes
        with the directory listing, so a regular file costs no stat of its own. Iterative (a
        deep tree needs no deep recursion); directories reached through a symbolic link come
        after every real one, so a directory also linked from elsewhere in the tree is reported
        under its own path."""
        stack = [root]
        linked: list[str] = []
        while stack or linked:
            d = stack.pop() if stack else linked.pop(0)
            try:
                st = os.stat(d)
                ident = (st.st_dev, st.st_ino)
            except OSError:
                ident = (0, hash(d))
            if ident in visited:  # a symlink loop, or a directory linked from elsewhere
                continue
            visited.add(ident)
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as e:
                errors.append(FileError(e.filename or d, f"cannot read directory: {e.strerror or e}", "unreadable"))
                continue
            subdirs = []
            # Paths as os.path.normpath would give them, built without calling it per file:
            # `d` is normalised, and a name has no separator.
            prefix = "" if d == os.curdir else d if d.endswith(os.sep) else d + os.sep
            for entry in entries:
                if _is(entry.is_dir):
                    if entry.name not in SKIP_DIRS and not entry.name.startswith((".", "_")):
                        if not _is(entry.is_symlink):
                            subdirs.append(prefix + entry.name)
                        elif leaves_tree(prefix + entry.name):
                            errors.append(
                                FileError(prefix + entry.name, "skipped: symbolic link to a directory outside the checked tree", "excluded")
                            )
                        else:
                            linked.append(prefix + entry.name)
                    continue
                if not entry.name.endswith(".go"):
                    continue
                full = prefix + entry.name
                if _is(entry.is_symlink) and _is(entry.is_file) and leaves_tree(full):
                    errors.append(FileError(full, "skipped: symbolic link to a file outside the checked tree", "excluded"))
                elif _is(entry.is_file):
                    yield full
                elif _is(entry.is_symlink) and not os.path.exists(full):
                    errors.append(FileError(full, "skipped: broken symbolic link", "not-regular"))
                else:
                    errors.append(FileError(full, "skipped: not a regular file", "not-regular"))
            stack.extend(reversed(subdirs))

    yield from walk(os.path.normpath(path))


def _is(test: Callable[[], bool]) -> bool:
    try:
        return test()
    except OSError:
        return False
