"""Diff-aware runs: which lines a change touched, from `git diff REV` (`--new-from-rev`), from
`git diff $(git merge-base REV HEAD)` (`--new-from-merge-base`) or from a unified diff file
(`--new-from-patch`). A finding counts as new when any line of its span was added or changed.

git runs in the user's repository with `--no-optional-locks` (a gate never takes the index
lock from a concurrent git), and with the settings that change what `git diff` prints pinned
(no pager, no colour, no external diff or textconv, `a/` `b/` prefixes, unquoted paths), so
the user's git configuration cannot change which lines count as changed.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict

from linter.model import Finding

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
MAX_PATCH_BYTES = 256 * 1024 * 1024  # --new-from-patch input
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


class DiffError(ValueError):
    pass


def _unquote(name: str) -> str:
    """A path as git prints it: C-quoted (`"b/a\\tb.go"`, `"b/\\303\\274.go"`) when it holds
    unusual characters."""
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(d in "01234567" for d in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
            if body[i + 1] in _C_ESCAPES:
                out.append(_C_ESCAPES[body[i + 1]])
                i += 2
                continue
        out += c.encode("utf-8", errors="surrogateescape")
        i += 1
    return out.decode("utf-8", errors="surrogateescape")


def changed_lines_from_patch(text: str, root: str = ".") -> dict[str, set[int]]:
    """path (absolute, normalised) -> added/changed line numbers in the new file. Hunks are read
    by their line counts, so an added `++x` or a removed `-- x` line is not taken for a file
    header. An empty patch is no change; text with no diff in it raises DiffError."""
    out: dict[str, set[int]] = defaultdict(set)
    path: str | None = None
    line = old_left = new_left = 0
    seen_diff = False
    for raw in text.splitlines():
        if old_left > 0 or new_left > 0:  # inside a hunk
            if raw.startswith("+"):
                if path is not None:
                    out[path].add(line)
                line += 1
                new_left -= 1
            elif raw.startswith("-"):
                if path is not None:
                    out[path].add(line)  # a deletion changes the line now standing there
                old_left -= 1
            elif raw.startswith("\\"):  # "\ No newline at end of file"
                pass
            else:  # context (" x", or "" where a tool stripped the blank)
                line += 1
                old_left -= 1
                new_left -= 1
            continue
        m = _HUNK.match(raw)
        if m:
            seen_diff = True
            old_left = 1 if m.group(2) is None else int(m.group(2))
            line = int(m.group(3))
            new_left = 1 if m.group(4) is None else int(m.group(4))
            continue
        if raw.startswith("+++ "):
            seen_diff = True
            target = _unquote(raw[4:].split("\t")[0].strip())
            if target == "/dev/null":
                path = None
            else:
                if target.startswith(("b/", "a/")):
                    target = target[2:]
                path = os.path.normcase(os.path.abspath(os.path.join(root, target)))
        elif raw.startswith("diff "):
            seen_diff = True
            path = None  # until this file's +++ line (a mode change or binary file has none)
    if not seen_diff and text.strip():
        raise DiffError("--new-from-patch: not a unified diff (no `diff`, `+++` or `@@` lines); an empty file means no changes")
    return out


_GIT = [
    "git",
    "--no-pager",
    "--no-optional-locks",
    *("-c", "core.quotePath=false", "-c", "color.ui=never", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false"),
    *("-c", "diff.relative=false"),
]
_GIT_DIFF = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", "-U0"]


def _git(args: list[str], cwd: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS")}
    return subprocess.run([*_GIT, *args], cwd=cwd, capture_output=True, text=True, check=True, env=env, errors="surrogateescape").stdout


def merge_base(rev: str, cwd: str = ".") -> str:
    """`git merge-base REV HEAD`: where the current branch left REV."""
    try:
        return _git(["merge-base", rev, "HEAD"], cwd).strip()
    except FileNotFoundError:
        raise DiffError("--new-from-merge-base needs git, which is not installed") from None
    except subprocess.CalledProcessError as e:
        why = e.stderr.strip() or (f"{rev!r} and HEAD have no common ancestor" if e.returncode == 1 else str(e))
        raise DiffError(f"git could not find the merge base of {rev!r} and HEAD: {why}") from None


def changed_lines_from_merge_base(rev: str, cwd: str = ".") -> dict[str, set[int]]:
    """Lines changed since the merge base of REV and HEAD: the branch's own changes (committed
    or not), not the ones REV gained since the branch started."""
    return changed_lines_from_git(merge_base(rev, cwd), cwd, flag="--new-from-merge-base", shown=rev)


def changed_lines_from_git(rev: str, cwd: str = ".", flag: str = "--new-from-rev", shown: str | None = None) -> dict[str, set[int]]:
    """Lines changed in the work tree (committed since REV or not, and untracked .go files) against
    the tip of REV."""
    shown = rev if shown is None else shown
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
        diff = _git([*_GIT_DIFF, rev, "--", "*.go"], top)
        untracked = _git(["ls-files", "-z", "--others", "--exclude-standard", "--", "*.go"], top).split("\0")
    except FileNotFoundError:
        raise DiffError(f"{flag} needs git, which is not installed") from None
    except subprocess.CalledProcessError as e:
        raise DiffError(f"git could not diff against {shown!r}: {e.stderr.strip() or e}") from None
    out = changed_lines_from_patch(diff, top)
    for rel in filter(None, untracked):  # new files: every line is new
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
