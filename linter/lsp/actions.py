"""Code actions for a finding: its `--fix` edit as a quick fix (when its rule has a fix strategy
that could fix it), and a suppression comment, `//goplumber:ignore <id>` on the line above the
finding, as linter.suppress reads it (an ignore comment already there for other rules gets the
id added to its list instead: only the finding's own line and the line above count)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from linter.lsp.positions import Text
from linter.model import Finding

_IGNORE = re.compile(rb"//\s*goplumber:ignore(?:[ \t]+([\w,-]+))?")


@dataclass(frozen=True)
class Change:
    """Replace bytes [start, end) of the file with `text`."""

    start: int
    end: int
    text: str


def suppress_change(text: Text, f: Finding) -> Change | None:
    """The edit that suppresses `f`, or None when a comment already covers it (then the finding
    would not have been reported) or the line above cannot take one."""
    index = f.line - 1
    if index > 0:
        above = text.line(index - 1)
        m = _IGNORE.search(above)
        if m is not None:
            ids = (m.group(1) or b"").decode().split(",")
            if not m.group(1) or f.rule_id in ids:
                return None
            at = text.line_start(index - 1) + m.end(1)
            return Change(at, at, "," + f.rule_id)
    line = text.line(index)
    indent = line[: len(line) - len(line.lstrip(b" \t"))].decode()
    at = text.line_start(index)
    eol = "\r\n" if text.data[at + len(line) : at + len(line) + 2] == b"\r\n" else "\n"
    return Change(at, at, f"{indent}//goplumber:ignore {f.rule_id}{eol}")


def fix_changes(f: Finding) -> tuple[str, list[Change]] | None:
    """The finding's `--fix` edit (linter.fix: byte offsets into the text that was checked), as
    (title, changes), if its rule's strategy made one."""
    if f.fix is None or not f.fix.edits:
        return None
    return f.fix.description or f"Fix {f.rule_id}", [Change(e.start_byte, e.end_byte, e.text) for e in f.fix.edits]


def lsp_range(text: Text, change: Change, encoding: str) -> tuple[tuple[int, int], tuple[int, int]]:
    return text.position_of_offset(change.start, encoding), text.position_of_offset(change.end, encoding)


__all__ = ["Change", "fix_changes", "lsp_range", "suppress_change"]
