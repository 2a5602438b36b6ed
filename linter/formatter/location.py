"""Where a finding is, in the forms the formats need: a path relative to the repository root
(SARIF, Code Climate), a percent-encoded URI of the path's raw bytes (SARIF), and the source
lines behind a byte column (SARIF's code-point columns, the text excerpt)."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field

from linter.roots import repository_root

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Anchored:
    """`rel` ('/'-separated) relative to `root` (absolute, ends with '/'); root None: `rel` is
    the path as given, absolute or not."""

    root: str | None
    rel: str


def anchor(path: str) -> Anchored:
    """A path relative to the repository root that holds it, whatever path was given (absolute,
    `../x`, `./x`); outside any repository, relative to the current directory when under it."""
    ab = os.path.abspath(path)
    root = repository_root(os.path.dirname(ab))
    if root is None:
        cwd = os.getcwd()
        if ab == cwd or ab.startswith(cwd.rstrip(os.sep) + os.sep):
            root = cwd
    if root is None:
        return Anchored(None, path.replace(os.sep, "/"))
    rel = os.path.relpath(ab, root).replace(os.sep, "/")
    return Anchored(root.replace(os.sep, "/").rstrip("/") + "/", rel)


def uri_of(path: str) -> str:
    """A URI reference of a path's raw bytes (a name that is not valid UTF-8 keeps its bytes
    as %XX; a ':' in the first segment cannot be read as a scheme)."""
    return urllib.parse.quote(os.fsencode(path.replace(os.sep, "/")), safe="/")


def root_uri(root: str) -> str:
    p = uri_of(root)
    return "file://" + (p if p.startswith("/") else "/" + p)


@dataclass
class Sources:
    """Lines of the checked files, read once per file when a format needs them. A file that
    cannot be read any more gives no lines (callers fall back to what the finding says)."""

    _files: dict[str, list[bytes] | None] = field(default_factory=dict)

    def line(self, path: str, line: int) -> bytes | None:
        if path not in self._files:
            try:
                with open(path, "rb") as fh:
                    data = fh.read(20_000_000)
                self._files[path] = data.split(b"\n")
            except OSError:
                self._files[path] = None
        lines = self._files[path]
        if lines is None or not 1 <= line <= len(lines):
            return None
        text = lines[line - 1]
        text = text[:-1] if text.endswith(b"\r") else text
        return text[len(BOM) :] if line == 1 and text.startswith(BOM) else text

    def code_point_column(self, path: str, line: int, byte_column: int) -> int:
        """The 1-based column in code points of a 1-based byte column."""
        text = self.line(path, line)
        if text is None:
            return byte_column
        return len(text[: byte_column - 1].decode("utf-8", "replace")) + 1
