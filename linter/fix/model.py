"""Plain data of a fix: `Edit` (replace bytes [start_byte, end_byte) of a file with `text`) and
`Fix` (a description and the edits that make one finding go away, applied all or none).

Byte offsets index the file's raw bytes as read (a BOM included); the 1-based line/column range
of each edit is computed once when the edit is made (columns in bytes with a leading BOM not
counted, as the findings' columns), for output formats and editors (LSP code actions)."""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass
from typing import Any

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Edit:
    start_byte: int
    end_byte: int
    text: str  # the replacement (inserted as UTF-8); empty: a deletion
    start_line: int = 0  # 1-based, computed by `Edit.at` for output
    start_column: int = 0
    end_line: int = 0
    end_column: int = 0

    @classmethod
    def at(cls, data: bytes, start: int, end: int, text: str, line_starts: list[int] | None = None) -> Edit:
        """An edit of `data` with its line/column range filled in."""
        if not 0 <= start <= end <= len(data):
            raise ValueError(f"edit range {start}..{end} outside the file (0..{len(data)})")
        starts = line_starts if line_starts is not None else line_starts_of(data)
        sl, sc = position(data, starts, start)
        el, ec = position(data, starts, end)
        return cls(start, end, text, sl, sc, el, ec)

    @property
    def insertion(self) -> bool:
        return self.start_byte == self.end_byte

    def to_json(self) -> dict[str, Any]:
        return {
            "start_byte": self.start_byte,
            "end_byte": self.end_byte,
            "start_line": self.start_line,
            "start_column": self.start_column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, d: Any) -> Edit:
        """The inverse of to_json; ValueError for anything of another shape (a damaged cache entry)."""
        keys = ("start_byte", "end_byte", "start_line", "start_column", "end_line", "end_column")
        if not isinstance(d, dict) or not all(type(d.get(k)) is int for k in keys) or not isinstance(d.get("text"), str):
            raise ValueError("malformed edit")
        if not 0 <= d["start_byte"] <= d["end_byte"]:
            raise ValueError("malformed edit range")
        return cls(d["start_byte"], d["end_byte"], d["text"], d["start_line"], d["start_column"], d["end_line"], d["end_column"])


@dataclass(frozen=True)
class Fix:
    """What makes one finding go away: every edit applies, or none does."""

    description: str
    edits: tuple[Edit, ...]
    strategy: str = ""  # the registered strategy that made it

    def to_json(self) -> dict[str, Any]:
        return {"description": self.description, "strategy": self.strategy, "edits": [e.to_json() for e in self.edits]}

    @classmethod
    def from_json(cls, d: Any) -> Fix:
        if not isinstance(d, dict) or not isinstance(d.get("description"), str) or not isinstance(d.get("edits"), list):
            raise ValueError("malformed fix")
        strategy = d.get("strategy", "")
        if not isinstance(strategy, str) or not d["edits"]:
            raise ValueError("malformed fix")
        return cls(d["description"], tuple(Edit.from_json(e) for e in d["edits"]), strategy)

    @property
    def span(self) -> tuple[int, int]:
        return min(e.start_byte for e in self.edits), max(e.end_byte for e in self.edits)


def line_starts_of(data: bytes) -> list[int]:
    """The offset of the start of each line (the first is 0)."""
    return list(itertools.accumulate(map(len, data.split(b"\n")[:-1]), lambda start, n: start + n + 1, initial=0))


def position(data: bytes, starts: list[int], offset: int) -> tuple[int, int]:
    """(1-based line, 1-based byte column) of a byte offset; a leading BOM is not counted."""
    line = bisect.bisect_right(starts, offset) - 1
    column = offset - starts[line] + 1
    if line == 0 and data.startswith(_BOM) and offset >= 3:
        column -= 3
    return line + 1, column


def offset_of(data: bytes, starts: list[int], line: int, column: int) -> int:
    """The byte offset of a 1-based (line, byte column), the inverse of `position`."""
    if line < 1 or line > len(starts):
        raise ValueError(f"line {line} outside the file")
    base = starts[line - 1]
    if line == 1 and data.startswith(_BOM):
        base += 3
    return min(base + max(column, 1) - 1, len(data))
