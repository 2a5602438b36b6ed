"""Applying fixes: to bytes (`apply_fixes`, `fix_source`) and to files (`write_files`).

Safety, whatever the strategies produce:

- the edits of one fix apply together or not at all;
- fixes are taken in file order; a fix with an edit overlapping an edit already taken (or
  inserting at the same place, where the order would be a guess) is skipped, reported unfixed;
- a file that does not parse cleanly is never changed, and a result that does not parse cleanly
  is never kept (the fixes are then tried one by one and only those that keep it clean stay);
- the byte-order mark and the line endings stay as they were (an inserted "\\n" becomes "\\r\\n"
  in a CRLF file);
- files are written through a temporary file in the same directory and a rename, with the
  original's permission bits; if one write fails, every file already replaced is put back, so a
  failing run leaves every file as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from linter.fix.model import Edit, Fix

BOM = b"\xef\xbb\xbf"
OVERLAP = "overlaps another fix"
SELF_OVERLAP = "its edits overlap each other"
OUT_OF_RANGE = "its edits are outside the file"
SYNTAX = "the file has syntax errors"
BREAKS = "the result would not parse"
TOUCHES_BOM = "it would change the byte-order mark"


@dataclass
class Applied:
    data: bytes
    applied: list[int] = field(default_factory=list)  # indices into the fixes given, in file order
    skipped: dict[int, str] = field(default_factory=dict)  # index -> why it was not applied


def _conflict(a: Edit, b: Edit) -> bool:
    if a.start_byte < b.end_byte and b.start_byte < a.end_byte:
        return True  # the ranges overlap
    # two edits starting at one place, one of them an insertion: which goes first is a guess
    return a.start_byte == b.start_byte and (a.insertion or b.insertion)


def _crlf(data: bytes) -> bool:
    """Is every line ending of `data` a CRLF (and there is at least one)?"""
    n = data.count(b"\n")
    return n > 0 and data.count(b"\r\n") == n


_BARE_LF = re.compile(r"(?<!\r)\n")


def apply_fixes(data: bytes, fixes: Sequence[Fix | None]) -> Applied:
    """Apply what can be applied of `fixes` (each all or none) to `data`; no parse checks."""
    out = Applied(data)
    order = sorted((i for i, fx in enumerate(fixes) if fx is not None), key=lambda i: (*fixes[i].span, i))  # type: ignore[union-attr]
    taken: list[Edit] = []
    for i in order:
        fx = fixes[i]
        assert fx is not None
        edits = sorted(fx.edits, key=lambda e: (e.start_byte, e.end_byte))
        if not edits or any(e.end_byte > len(data) or e.start_byte < 0 or e.start_byte > e.end_byte for e in edits):
            out.skipped[i] = OUT_OF_RANGE
        elif any(_conflict(a, b) for k, a in enumerate(edits) for b in edits[k + 1 :]):
            out.skipped[i] = SELF_OVERLAP
        elif data.startswith(BOM) and any(e.start_byte < len(BOM) for e in edits):
            out.skipped[i] = TOUCHES_BOM
        elif any(_conflict(a, b) for a in edits for b in taken):
            out.skipped[i] = OVERLAP
        else:
            taken.extend(edits)
            out.applied.append(i)
    if not taken:
        return out
    crlf = _crlf(data)
    parts: list[bytes] = []
    pos = 0
    for e in sorted(taken, key=lambda e: (e.start_byte, e.end_byte)):
        text = _BARE_LF.sub("\r\n", e.text) if crlf else e.text
        parts.append(data[pos : e.start_byte])
        parts.append(text.encode("utf-8", "surrogateescape"))
        pos = e.end_byte
    parts.append(data[pos:])
    out.data = b"".join(parts)
    return out


def parses_cleanly(data: bytes) -> bool:
    """Does the whole file parse without an ERROR or MISSING node?"""
    from linter.parsing import parser

    return not parser().parse(data).root_node.has_error


def _point(data: bytes, offset: int) -> tuple[int, int]:
    row = data.count(b"\n", 0, offset)
    return row, offset - (data.rfind(b"\n", 0, offset) + 1)


def _reparses_cleanly(old: bytes, tree: Any, new: bytes, edits: Sequence[Edit]) -> bool:
    """parses_cleanly(new), reparsing incrementally from `tree` (the parse of `old`): the
    edits are given to tree-sitter, last first, so only what they touch is parsed again (an
    incremental parse gives the tree a parse from scratch would)."""
    from linter.parsing import parser

    tree = tree.copy()
    for e in sorted(edits, key=lambda e: e.start_byte, reverse=True):
        text = _BARE_LF.sub("\r\n", e.text) if _crlf(old) else e.text
        raw = text.encode("utf-8", "surrogateescape")
        start = _point(old, e.start_byte)
        lines = raw.count(b"\n")
        end_new = (start[0] + lines, (start[1] if not lines else 0) + len(raw) - (raw.rfind(b"\n") + 1))
        tree.edit(e.start_byte, e.end_byte, e.start_byte + len(raw), start, _point(old, e.end_byte), end_new)
    return not parser().parse(new, tree).root_node.has_error


def fix_source(data: bytes, fixes: Sequence[Fix | None]) -> Applied:
    """`apply_fixes` with the parse checks: a file with syntax errors is left alone; a result that
    does not parse keeps only the fixes that, added one at a time, keep it parsing."""
    if not any(fx is not None for fx in fixes):
        return Applied(data)
    from linter.parsing import parser

    tree = parser().parse(data)
    if tree.root_node.has_error:
        return Applied(data, [], {i: SYNTAX for i, fx in enumerate(fixes) if fx is not None})
    got = apply_fixes(data, fixes)
    if not got.applied:
        return got
    if _reparses_cleanly(data, tree, got.data, [e for i in got.applied for e in fixes[i].edits]):  # type: ignore[union-attr]
        return got
    kept: list[int] = []
    skipped = dict(got.skipped)
    current = data
    for i in got.applied:  # in file order; each kept one must keep the file clean
        trial = apply_fixes(data, [fx if k in kept or k == i else None for k, fx in enumerate(fixes)])
        if trial.applied and i in trial.applied and parses_cleanly(trial.data):
            kept.append(i)
            current = trial.data
        else:
            skipped[i] = BREAKS
    return Applied(current, kept, skipped)


def shift(offset: int, applied_edits: Sequence[Edit], end: bool = False) -> int:
    """Where byte `offset` of the original is after `applied_edits`. Text inserted at `offset`
    comes before the byte there (for an `end` offset, after the range that ends there); an offset
    inside a replaced range moves to the start of the replacement."""
    delta = 0
    for e in applied_edits:
        if e.end_byte < offset or e.end_byte == offset and not (end and e.insertion):
            delta += len(e.text.encode("utf-8", "surrogateescape")) - (e.end_byte - e.start_byte)
        elif e.start_byte < offset < e.end_byte:
            return e.start_byte + delta
    return offset + delta


class WriteError(OSError):
    pass


def write_files(changes: dict[str, tuple[bytes, bytes]]) -> None:
    """Replace each file's content `old` with `new` ({path: (old, new)}), all or none.

    Each file is checked to still hold `old` (it did not change since it was checked), then
    written to a temporary file beside it with the original's permission bits, then renamed over
    it (a symbolic link is followed: its target is replaced). If anything fails, the temporary
    files are removed and the files already replaced get their old content back; WriteError says
    what failed."""
    import tempfile

    from linter.safeio import read_bounded

    staged: list[tuple[str, str, bytes]] = []  # (target, temp, old)
    try:
        for path, (old, new) in sorted(changes.items()):
            target = os.path.realpath(path)
            try:
                st = os.stat(target)
                current = read_bounded(target, len(old), "file") if st.st_size == len(old) else None
            except OSError as e:
                raise WriteError(f"{path}: cannot read it again: {e.strerror or e}") from None
            if current != old:
                raise WriteError(f"{path}: changed while it was being checked; nothing was written")
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target) or ".", prefix=".goplumber-fix-", suffix=".tmp")
            staged.append((target, tmp, old))
            with os.fdopen(fd, "wb") as fh:
                fh.write(new)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, st.st_mode & 0o7777)
    except OSError as e:
        for _, tmp, _ in staged:
            _unlink(tmp)
        raise e if isinstance(e, WriteError) else WriteError(f"cannot write a fixed file: {e.strerror or e}") from None
    done: list[tuple[str, bytes]] = []
    try:
        for target, tmp, old in staged:
            os.replace(tmp, target)
            done.append((target, old))
    except OSError as e:
        for _, tmp, _ in staged:
            _unlink(tmp)
        _restore(done)
        raise WriteError(f"cannot replace a fixed file: {e.strerror or e}; the files already written were restored") from None


def _restore(done: list[tuple[str, bytes]]) -> None:
    import tempfile

    for target, old in done:
        try:
            st = os.stat(target)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target) or ".", prefix=".goplumber-fix-", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(old)
            os.chmod(tmp, st.st_mode & 0o7777)
            os.replace(tmp, target)
        except OSError:
            continue


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
