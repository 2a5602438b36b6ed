"""One display form for text that came from a file system or a Go file, shared by every output
format, so a hostile file name or string literal can neither forge output lines, nor drive a
terminal, nor break an XML or JSON reader, nor crash a strict UTF-8 stdout.

- bytes of a file name that are not valid UTF-8 (Python keeps them as lone surrogates,
  `surrogateescape`) become `\\xHH`: `bad\\xff.go`;
- C0 controls and DEL become `\\t`, `\\n`, `\\r` or `\\xHH` (`\\x1b` for ESC);
- C1 controls, the line and paragraph separators U+2028/U+2029, Unicode bidi embeddings/overrides/isolates and the noncharacters XML 1.0
  forbids (U+FFFE, U+FFFF) become `\\uHHHH`.

Everything else, backslashes included, is kept as it is, so ordinary names and messages read
as before. Fingerprints are computed from a path's raw bytes, not from this form."""

from __future__ import annotations

import re

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")


def _escape(m: re.Match[str]) -> str:
    c = m.group(0)
    n = ord(c)
    if c in _NAMED:
        return _NAMED[c]
    if 0xDC80 <= n <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{n - 0xDC00:02x}"
    if n < 0x80:
        return f"\\x{n:02x}"
    return f"\\u{n:04x}"


def printable(s: str) -> str:
    """`s` with control, bidi-override and undecodable characters escaped (see the module)."""
    return _UNSAFE.sub(_escape, s) if _UNSAFE.search(s) else s


def display_path(path: str) -> str:
    """A path as every format shows it."""
    return printable(path)
