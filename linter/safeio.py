"""Bounded reads of the files goplumber is given (rule files, the config, baselines, patches,
cache entries, Go sources): only regular files, never more than a size limit.

A path can name a FIFO (`open()` would block until a writer comes, forever), a device
(`/dev/zero` never ends) or a file swapped for one of those after it was listed. The file is
opened without blocking, the *opened descriptor* is checked (so a swap between a check and the
open cannot slip through), and at most `limit + 1` bytes are read."""

from __future__ import annotations

import os
import stat

MiB = 1024 * 1024


class ReadError(OSError):
    """The file cannot be read safely; `reason` says why (without the path)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def read_head(path: str, limit: int) -> bytes:
    """Up to the first `limit` bytes of the regular file at `path` (a longer file is not an
    error here); a FIFO or device raises ReadError instead of blocking or never ending."""
    return read_bounded(path, limit, "file", _truncate=True)


def read_bounded(path: str, limit: int, what: str = "file", *, follow_symlinks: bool = True, _truncate: bool = False) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    Raises ReadError (an OSError) with a one-line reason: cannot open or read it (the OS's
    reason), it is not a regular file, or it is larger than `limit` bytes (`what` names the file
    in that message, e.g. "baseline"). With follow_symlinks=False a symbolic link is refused."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if not follow_symlinks and os.path.islink(path):
            raise ReadError("is a symbolic link") from None
        raise ReadError(e.strerror or str(e)) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ReadError("is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("not a regular file")
        if st.st_size > limit and not _truncate:
            raise ReadError(f"{what} is {st.st_size} bytes (limit {limit})")
        # A regular file reads without blocking; O_NONBLOCK only kept the open from hanging.
        chunks = []
        remaining = limit + (0 if _truncate else 1)  # one byte more tells a file that grew since fstat
        while remaining > 0:
            chunk = os.read(fd, min(remaining, MiB))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise ReadError(f"{what} is larger than {limit} bytes")
        return data
    except ReadError:
        raise
    except OSError as e:
        raise ReadError(e.strerror or str(e)) from None
    finally:
        os.close(fd)


def read_text_bounded(path: str, limit: int, what: str = "file") -> str:
    """read_bounded, decoded as UTF-8 (a UnicodeDecodeError is a ReadError too)."""
    data = read_bounded(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ReadError(f"{what} is not UTF-8 (invalid byte at line {line})") from None
