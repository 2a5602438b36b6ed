"""Suppression comments: `//goplumber:ignore <id>[,<id>] <reason>`, `//nolint:goplumber`,
`//nolint:<id>` and bare `//nolint`, on the finding's line or the line above. Each comment
remembers whether it suppressed anything, for `--report-unused-ignores`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_IGNORE = re.compile(rb"//\s*goplumber:ignore(?:[ \t]+([\w,-]+))?")
_NOLINT = re.compile(rb"//\s*nolint(?::([\w,-]+))?")
ALL = "*"


@dataclass
class Suppression:
    line: int
    ids: set[str]
    text: str
    ours: bool  # a goplumber:ignore, or a nolint naming goplumber or one of our rules
    used: set[str] = field(default_factory=set)


def suppressions(data: bytes, rule_ids: set[str] | None = None) -> dict[int, Suppression]:
    """Line (1-based) -> the suppression comment on it."""
    out: dict[int, Suppression] = {}
    if b"goplumber:ignore" not in data and b"nolint" not in data:
        return out
    for lineno, line in enumerate(data.split(b"\n"), start=1):
        if b"//" not in line:
            continue
        ids: set[str] = set()
        ours = False
        m = _IGNORE.search(line)
        if m:
            ids |= {i for i in (m.group(1) or b"").decode().split(",") if i} or {ALL}
            ours = True
        m = _NOLINT.search(line)
        if m:
            names = {i for i in (m.group(1) or b"").decode().split(",") if i}
            if not names or "goplumber" in names or "all" in names:
                ids.add(ALL)
                ours = ours or "goplumber" in names
            else:
                ids |= names
                ours = ours or bool(rule_ids and names & rule_ids)
        if ids:
            text = line.decode("utf-8", "replace").strip()
            out[lineno] = Suppression(lineno, ids, text[text.find("//") :], ours)
    return out


def is_suppressed(table: dict[int, Suppression], rule_id: str, line: int) -> bool:
    for ln in (line, line - 1):
        s = table.get(ln)
        if s is not None and (ALL in s.ids or rule_id in s.ids):
            s.used.add(rule_id)
            return True
    return False


def unused_for_rules_that_ran(unused: list[tuple[str, int, str]], ran: set[str], known: set[str]) -> list[tuple[str, int, str]]:
    """The unused suppressions (path, line, comment) that are unused whatever rules are chosen:
    with `--select X`, `//goplumber:ignore Y` may well hide a finding of Y, and a blanket
    `//goplumber:ignore` one of a rule that did not run. A comment is kept when every rule it
    names ran or is no rule at all (a typo), and a blanket one only when every rule ran."""
    out = []
    for path, line, text in unused:
        ids: set[str] = set()
        for s in suppressions(text.encode("utf-8", "surrogateescape"), known).values():
            ids |= s.ids
        if ALL in ids:
            if known <= ran:
                out.append((path, line, text))
        elif all(i in ran or i not in known for i in ids):
            out.append((path, line, text))
    return out
