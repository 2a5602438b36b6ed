"""Suppression comments: `//goplumber:ignore <id>[,<id>] <reason>`, `//nolint:goplumber`,
`//nolint:<id>` and bare `//nolint`, on the finding's line or the line above."""

from __future__ import annotations

import re

_IGNORE = re.compile(rb"//\s*goplumber:ignore(?:[ \t]+([\w,-]+))?")
_NOLINT = re.compile(rb"//\s*nolint(?::([\w,-]+))?")
ALL = "*"


def suppressions(data: bytes) -> dict[int, set[str]]:
    """Line (1-based) -> rule ids suppressed there (`*` for all goplumber rules)."""
    out: dict[int, set[str]] = {}
    if b"goplumber:ignore" not in data and b"nolint" not in data:
        return out
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if b"//" not in line:
            continue
        ids: set[str] = set()
        m = _IGNORE.search(line)
        if m:
            ids |= {i for i in (m.group(1) or b"").decode().split(",") if i} or {ALL}
        m = _NOLINT.search(line)
        if m:
            names = {i for i in (m.group(1) or b"").decode().split(",") if i}
            if not names or "goplumber" in names or "all" in names:
                ids.add(ALL)
            else:
                ids |= names
        if ids:
            out[lineno] = ids
    return out


def is_suppressed(table: dict[int, set[str]], rule_id: str, line: int) -> bool:
    for ln in (line, line - 1):
        ids = table.get(ln)
        if ids and (ALL in ids or rule_id in ids):
            return True
    return False
