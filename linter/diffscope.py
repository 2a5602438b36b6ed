"""Diff-aware runs: which lines a change touched, from `git diff REV` or a unified diff file.
A finding counts as new when any line of its span was added or changed."""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict

from linter.model import Finding

MAX_PATCH_BYTES = 256 * 1024 * 1024  # --new-from-patch input
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(ValueError):
    pass


def changed_lines_from_patch(text: str, root: str = ".") -> dict[str, set[int]]:
    """path (absolute, normalised) -> added/changed line numbers in the new file."""
    out: dict[str, set[int]] = defaultdict(set)
    path: str | None = None
    line = 0
    for raw in text.splitlines():
        if raw.startswith("+++ "):
            target = raw[4:].split("\t")[0].strip()
            if target == "/dev/null":
                path = None
            else:
                if target.startswith(("b/", "a/")):
                    target = target[2:]
                path = os.path.normcase(os.path.abspath(os.path.join(root, target)))
            continue
        m = _HUNK.match(raw)
        if m:
            line = int(m.group(1))
            continue
        if path is None or raw.startswith(("--- ", "diff ", "index ")):
            continue
        if raw.startswith("+"):
            out[path].add(line)
            line += 1
        elif raw.startswith("-"):
            out[path].add(line)  # a deletion changes the line now standing there
        elif raw.startswith(" ") or raw == "":
            line += 1
    return out


def changed_lines_from_git(rev: str, cwd: str = ".") -> dict[str, set[int]]:
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
        diff = subprocess.run(
            ["git", "diff", "--no-color", "--no-ext-diff", "-U0", rev, "--", "*.go"],
            cwd=top,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        untracked = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "--", "*.go"], cwd=top, capture_output=True, text=True, check=True
        ).stdout.split()
    except FileNotFoundError:
        raise DiffError("--new-from-rev needs git, which is not installed") from None
    except subprocess.CalledProcessError as e:
        raise DiffError(f"git could not diff against {rev!r}: {e.stderr.strip() or e}") from None
    out = changed_lines_from_patch(diff, top)
    for rel in untracked:  # new files: every line is new
        p = os.path.normcase(os.path.abspath(os.path.join(top, rel)))
        try:
            with open(p, "rb") as fh:
                n = fh.read().count(b"\n") + 1
        except OSError:
            continue
        out[p] = set(range(1, n + 1))
    return out


def only_changed(findings: list[Finding], changed: dict[str, set[int]]) -> list[Finding]:
    kept = []
    for f in findings:
        lines = changed.get(os.path.normcase(os.path.abspath(f.path)))
        first, last = f.stmt_lines if f.stmt_lines != (0, 0) else (f.line, f.end_line)
        if lines and any(ln in lines for ln in range(min(first, f.line), max(last, f.end_line) + 1)):
            kept.append(f)
    return kept
