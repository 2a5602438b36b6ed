"""Positions: goplumber counts 1-based lines and byte columns (a leading BOM not counted); LSP
counts 0-based lines and characters in the code units of the negotiated `positionEncoding`:
UTF-16 unless the client offered UTF-8 or UTF-32 (`general.positionEncodings`).

A `Text` is one version of a file's bytes with its line starts, converting both ways. Bytes
that are not valid UTF-8 (a file on disk) count as one U+FFFD each, as editors show them; lone
surrogates a client sent (`\\ud800` in JSON) travel as their surrogatepass bytes and count as
one UTF-16 unit each."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
BOM = b"\xef\xbb\xbf"


def encode(text: str) -> bytes:
    """A client's text as the bytes goplumber checks (lone surrogates kept, never an error)."""
    return text.encode("utf-8", "surrogatepass")


def _char_size(data: bytes, i: int) -> int:
    """Bytes of the character at `data[i]`: a UTF-8 sequence, or one byte of invalid UTF-8 (a
    stray continuation byte, a bad lead byte, a sequence cut short: one character each, as
    `decode("replace")` counts them)."""
    lead = data[i]
    if lead < 0xC2:
        return 1
    n = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4 if lead < 0xF5 else 1
    for k in range(1, n):
        if i + k >= len(data) or data[i + k] & 0xC0 != 0x80:
            return k
    return n


def units(data: bytes, encoding: str) -> int:
    """The length of `data` (UTF-8 bytes) in `encoding`'s code units."""
    if encoding == UTF8 or data.isascii():
        return len(data)
    count, i, n = 0, 0, len(data)
    while i < n:
        size = _char_size(data, i)
        count += 2 if size == 4 and encoding == UTF16 else 1
        i += size
    return count


def byte_offset(line: bytes, character: int, encoding: str) -> int:
    """The byte offset in `line` of a position `character` code units in (clamped to the line;
    a position inside a character is its end)."""
    if encoding == UTF8 or line.isascii():
        return min(max(character, 0), len(line))
    count, i, n = 0, 0, len(line)
    while i < n and count < character:
        size = _char_size(line, i)
        count += 2 if size == 4 and encoding == UTF16 else 1
        i += size
    return min(i, n)


@dataclass
class Text:
    """One version of a file's bytes, with its line starts."""

    data: bytes
    _starts: list[int] = field(default_factory=list, repr=False)

    @property
    def starts(self) -> list[int]:
        if not self._starts:
            starts = [0]
            find, i = self.data.find, self.data.find(b"\n")
            while i != -1:
                starts.append(i + 1)
                i = find(b"\n", i + 1)
            self._starts = starts
        return self._starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line(self, index: int) -> bytes:
        """Line `index` (0-based) without its end of line ("\\n", "\\r\\n")."""
        starts = self.starts
        if not 0 <= index < len(starts):
            return b""
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.data)
        text = self.data[starts[index] : end]
        return text[:-1] if text.endswith(b"\r") else text

    def line_start(self, index: int) -> int:
        starts = self.starts
        return starts[min(max(index, 0), len(starts) - 1)]

    def position(self, line: int, column: int, encoding: str) -> tuple[int, int]:
        """The LSP (line, character) of goplumber's 1-based `line` and byte `column`."""
        index = max(line - 1, 0)
        offset = max(column - 1, 0)
        if index == 0 and self.data.startswith(BOM):
            offset += len(BOM)  # goplumber's columns skip the BOM; the client's text has it
        text = self.line(index)
        return index, units(text[: min(offset, len(text))], encoding)

    def offset(self, line: int, character: int, encoding: str) -> int:
        """The byte offset in the file of an LSP position (clamped to the text)."""
        if line >= self.line_count:
            return len(self.data)
        if line < 0:
            return 0
        return self.line_start(line) + byte_offset(self.line(line), character, encoding)

    def position_of_offset(self, offset: int, encoding: str) -> tuple[int, int]:
        """The LSP (line, character) of a byte offset in the file."""
        offset = min(max(offset, 0), len(self.data))
        index = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[index]
        return index, units(self.data[start:offset], encoding)
