"""`goplumber check --fix` / `--diff`: the CLI's entry point (`run`) and the programmatic one
(`fixes_for_source`, for an editor: the fixable findings of one file's bytes).

`run` takes the findings a check reported (after --select/--ignore/config, baseline and
changed-lines filters) and applies their fixes file by file (linter.fix.apply). Each file it
changes is checked again in memory with the same rules: a fix whose finding is still reported at
its place is taken back (so `--fix` twice never changes anything the second time), and a finding
whose fix was skipped because it overlapped another gets a fresh fix from that check, applied in
the next round (at most MAX_ROUNDS). The findings that remain are reported at their places in
the fixed files. With `write`, the changed files are written atomically, all or none.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

from linter.fix.apply import OVERLAP, fix_source, shift, write_files
from linter.fix.model import Edit, Fix, line_starts_of, offset_of, position
from linter.model import FileError, Finding

MAX_ROUNDS = 4
NOT_REMOVED = "the fix did not remove the finding"


@dataclass
class _Item:
    """A reported finding of a file being fixed, at its place in the file's current bytes."""

    finding: Finding
    start: int
    end: int
    fix: Fix | None
    fixed: bool = False
    reason: str = ""  # why it stays unfixed


@dataclass
class Outcome:
    remaining: list[Finding] = field(default_factory=list)  # at their places in the fixed files
    fixed: list[Finding] = field(default_factory=list)  # as reported before the fix
    changes: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # path -> (old, new)
    unfixed: dict[Finding, str] = field(default_factory=dict)  # fixable findings left alone, and why
    errors: list[FileError] = field(default_factory=list)

    def diff(self) -> str:
        return unified_diff(self.changes)


def run(result: Any, rules: list[Any], options: Any, write: bool, contents: dict[str, bytes] | None = None) -> Outcome:
    """Fix the findings of `result` (a linter.engine.Result); see the module docstring.
    `contents`: the bytes of paths that are not files on disk (stdin); those are never written."""
    out = Outcome()
    syntax = {e.path for e in result.errors if e.kind == "syntax"}
    by_path: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_path.setdefault(f.path, []).append(f)
    files: dict[str, tuple[bytes, list[_Item]]] = {}
    for path, findings in by_path.items():
        if not any(f.fix is not None for f in findings):
            out.remaining.extend(findings)
            continue
        data = contents[path] if contents and path in contents else _read(path, out)
        if data is None or path in syntax:
            for f in findings:
                if f.fix is not None:
                    out.unfixed[f] = "the file has syntax errors" if data is not None else "the file cannot be read again"
            out.remaining.extend(findings)
            continue
        starts = line_starts_of(data)
        items = []
        for f in findings:
            start, end = _span(data, starts, f)
            items.append(_Item(f, start, end, f.fix if _consistent(data, starts, f.fix) else None))
        files[path] = (data, items)
    current = {p: d for p, (d, _) in files.items()}
    latest: dict[str, dict[tuple[str, int, int], Finding]] = {}  # the last check of each changed file
    for _ in range(MAX_ROUNDS):
        pending = {p: [it for it in items if it.fix is not None and not it.fixed] for p, (_, items) in files.items()}
        pending = {p: its for p, its in pending.items() if its}
        if not pending:
            break
        trials: dict[str, tuple[bytes, list[Edit], list[_Item]]] = {}
        for path, its in pending.items():
            got = fix_source(current[path], [it.fix for it in its])
            for i, why in got.skipped.items():
                its[i].reason = why
                if why != OVERLAP:
                    its[i].fix = None  # never going to apply
            if got.applied:
                edits = [e for i in got.applied for e in its[i].fix.edits]  # type: ignore[union-attr]
                trials[path] = (got.data, sorted(edits, key=lambda e: e.start_byte), [its[i] for i in got.applied])
        if not trials:
            break
        again = _recheck({p: t[0] for p, t in trials.items()}, rules, options, contents)
        for path, (new, edits, applied) in trials.items():
            after = {(f.rule_id, f.line, f.column): f for f in again.get(path, [])}
            new_starts = line_starts_of(new)
            failed = []
            for it in applied:
                line, col = position(new, new_starts, shift(it.start, edits))
                if (it.finding.rule_id, line, col) in after:
                    failed.append(it)
            if failed:  # take those back; the rest is tried again from the same bytes
                for it in failed:
                    it.fix, it.reason = None, NOT_REMOVED
                continue
            for it in applied:
                it.fixed = True
            _, items = files[path]
            for it in items:
                if it.fixed and it in applied:
                    continue
                it.start, it.end = shift(it.start, edits), shift(it.end, edits, end=True)
                if not it.fixed and it.reason == OVERLAP:
                    line, col = position(new, new_starts, it.start)
                    fresh = after.get((it.finding.rule_id, line, col))
                    it.fix = fresh.fix if fresh is not None else None
                    if it.fix is None:
                        it.reason = NOT_REMOVED if fresh is None else "no fix once the overlapping fix is applied"
            current[path] = new
            latest[path] = after
    for path, (old, items) in files.items():
        new = current[path]
        if new != old:
            out.changes[path] = (old, new)
        starts = line_starts_of(new)
        old_starts = line_starts_of(old)
        for it in items:
            if it.fixed:
                out.fixed.append(it.finding)
                continue
            if it.finding.fix is not None:
                out.unfixed[it.finding] = it.reason or "not applied"
            moved = _moved(it, old, old_starts, new, starts)
            # as the check of the fixed bytes words it (a message naming a line names the new one)
            now = latest.get(path, {}).get((moved.rule_id, moved.line, moved.column))
            out.remaining.append(dataclasses.replace(now, fix=it.fix) if now is not None else moved)
    out.remaining.sort(key=lambda f: (f.path, f.line, f.column, f.rule_id))
    if write and out.changes:
        write_files({p: c for p, c in out.changes.items() if not (contents and p in contents)})
    return out


def _read(path: str, out: Outcome) -> bytes | None:
    from linter.safeio import read_bounded

    try:
        return read_bounded(path, 10_000_000, "file")
    except OSError as e:
        out.errors.append(FileError(path, f"cannot read it to fix it: {e.strerror or e}", "unreadable"))
        return None


def _span(data: bytes, starts: list[int], f: Finding) -> tuple[int, int]:
    try:
        return offset_of(data, starts, f.line, f.column), offset_of(data, starts, f.end_line, f.end_column)
    except ValueError:
        return 0, 0


def _consistent(data: bytes, starts: list[int], fix: Fix | None) -> bool:
    """Do the fix's edits still point where they were made (the file did not change since the
    check, e.g. a cache entry of another content)? Otherwise the fix is not used."""
    if fix is None:
        return False
    for e in fix.edits:
        if e.end_byte > len(data) or position(data, starts, e.start_byte) != (e.start_line, e.start_column):
            return False
        if position(data, starts, e.end_byte) != (e.end_line, e.end_column):
            return False
    return True


def _moved(it: _Item, old: bytes, old_starts: list[int], new: bytes, starts: list[int]) -> Finding:
    """The finding at its place in the fixed bytes (it.start/it.end are offsets there)."""
    f = it.finding
    if new == old:
        return dataclasses.replace(f, fix=it.fix)
    line, col = position(new, starts, it.start)
    end_line, end_col = position(new, starts, it.end)
    lines = f.stmt_lines
    if lines != (0, 0):
        delta = line - f.line
        lines = (lines[0] + delta, lines[1] + delta + (end_line - line) - (f.end_line - f.line))
    return dataclasses.replace(f, line=line, column=col, end_line=end_line, end_column=end_col, stmt_lines=lines, fix=it.fix)


def _recheck(fixed: dict[str, bytes], rules: list[Any], options: Any, given: dict[str, bytes] | None) -> dict[str, list[Finding]]:
    """The findings of the fixed bytes, checked in memory with the same rules (no cache; named
    files are checked even where a walk would skip them, since they were checked before)."""
    from linter.engine import check_paths

    opts = dataclasses.replace(options, cache_dir=None, default_excludes=False)
    res = check_paths(list(fixed), rules, opts, contents={**(given or {}), **fixed})
    found: dict[str, list[Finding]] = {}
    for f in res.findings:
        found.setdefault(f.path, []).append(f)
    return found


def unified_diff(changes: dict[str, tuple[bytes, bytes]]) -> str:
    """A unified diff of the changes, `--- a/PATH` / `+++ b/PATH` as git prints them; lines keep
    their endings (a CRLF file's diff has CRLF lines), bytes that are not UTF-8 pass through."""
    import difflib

    parts = []
    for path in sorted(changes):
        old, new = changes[path]
        a = old.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        b = new.decode("utf-8", "surrogateescape").splitlines(keepends=True)
        name = path.replace(os.sep, "/").lstrip("/")
        for line in difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"):
            parts.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(parts)


def fixes_for_source(path: str, data: bytes, rules: list[Any], options: Any) -> list[Finding]:
    """The findings of one file's bytes (an editor's buffer), each with its `fix` when its rule
    offers one; checked as if the file were at `path` (config, go.mod, package siblings)."""
    from linter.engine import check_paths

    opts = dataclasses.replace(options, cache_dir=None, jobs=1)
    res = check_paths([path], rules, opts, contents={path: data})
    return [f for f in res.findings if f.path == path]
