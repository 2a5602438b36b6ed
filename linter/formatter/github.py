"""GitHub Actions workflow commands (`::error file=...::message`), escaped as the runner
documents, plus a Markdown summary appended to $GITHUB_STEP_SUMMARY: GitHub shows only a
limited number of annotations per step, the summary lists every finding. Files not fully
checked are `::warning`s, unused suppressions (--report-unused-ignores) too; notes (a binary
file, a syntax error) are `::notice`s. Paths and
messages are in the escaped display form (`linter.formatter.escape`) before the runner's own
escaping, so no control character reaches the log. Findings with an automatic fix are listed in
the summary once more with the fix as a diff (`suggestions_markdown`)."""

from __future__ import annotations

import os
from collections import Counter

from linter.engine import Result
from linter.formatter import incomplete
from linter.formatter.escape import display_path, printable
from linter.model import Finding, Rule

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(result: Result, rules: list[Rule] | None = None) -> str:
    lines = []
    for f in result.findings:
        props = ",".join(
            f"{k}={escape_property(str(v))}"
            for k, v in (
                ("file", display_path(f.path)),
                ("line", f.line),
                ("endLine", f.end_line),
                ("col", f.column),
                ("endColumn", f.end_column),
                ("title", f"goplumber {f.rule_id}"),
            )
        )
        lines.append(f"::{COMMANDS.get(f.severity, 'warning')} {props}::{escape_data(printable(f.message))}")
    for e in result.errors:
        kind, title = ("warning", "goplumber: not fully checked") if incomplete(e) else ("notice", "goplumber")
        props = f"file={escape_property(display_path(e.path))},title={escape_property(title)}"
        lines.append(f"::{kind} {props}::{escape_data(printable(e.message))}")
    for path, line, text in result.unused_ignores:
        lines.append(
            f"::warning file={escape_property(display_path(path))},line={line},title={escape_property('goplumber unused-suppression')}"
            f"::{escape_data(printable(f'unused suppression: {text}'))}"
        )
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        try:
            with open(summary_path, "a", encoding="utf-8") as fh:
                fh.write(summary_markdown(result))
        except OSError as e:
            lines.append(f"::warning title=goplumber::{escape_data(printable(f'cannot write the step summary: {e}'))}")
    return "\n".join(lines) + ("\n" if lines else "")


def _cell(s: str) -> str:
    return display_path(s).replace("|", "\\|")


def summary_markdown(result: Result) -> str:
    n = len(result.findings)
    out = [f"## goplumber: {n} leak finding{'s' if n != 1 else ''}\n"]
    if n:
        by_rule = Counter(f.rule_id for f in result.findings)
        out.append("| rule | findings |\n|---|---|")
        out.extend(f"| `{rid}` | {count} |" for rid, count in sorted(by_rule.items()))
        out.append("\n| location | severity | rule | message |\n|---|---|---|---|")
        for f in result.findings:
            out.append(f"| `{_cell(f.path)}:{f.line}` | {f.severity} | `{f.rule_id}` | {_cell(f.message)} |")
    fixable = [f for f in result.findings if f.fix is not None]
    if fixable:
        out.append(suggestions_markdown(fixable))
    if result.errors:
        out.append(f"\n{len(result.errors)} file(s) could not be fully checked:\n")
        out.extend(f"- `{_cell(e.path)}`: {_cell(e.message)}" for e in result.errors)
    return "\n".join(out) + "\n\n"


MAX_SUGGESTIONS = 30  # the step summary is limited (1 MiB); the rest are counted


def suggestions_markdown(fixable: list[Finding]) -> str:
    """Each automatic fix as a diff of its file (the lines it changes, a line of context), as
    `goplumber check --fix` would apply it; at most MAX_SUGGESTIONS of them."""
    n = len(fixable)
    out = [f"\n### Suggested fixes ({n}; `goplumber check --fix` applies them)\n"]
    files: dict[str, bytes | None] = {}
    for f in fixable[:MAX_SUGGESTIONS]:
        out.append(f"`{_cell(f.path)}:{f.line}` `{f.rule_id}`: {_cell(f.fix.description)}\n")
        diff = _diff(f, files)
        if diff is None:
            out.extend(f"- line {e.start_line}, column {e.start_column}: `{_cell(e.text).strip() or '(delete)'}`" for e in f.fix.edits)
            out.append("")
            continue
        fence = "`" * max(3, _longest_backticks(diff) + 1)
        out.append(f"{fence}diff\n{diff}{fence}\n")
    if n > MAX_SUGGESTIONS:
        out.append(f"... and {n - MAX_SUGGESTIONS} more (`goplumber check --diff` shows them all)\n")
    return "\n".join(out)


def _diff(f: Finding, files: dict[str, bytes | None]) -> str | None:
    """The unified diff (hunks only) of the finding's fix on its file as it is now; None when the
    file cannot be read or the fix no longer applies to it."""
    import difflib

    from linter.fix.apply import apply_fixes

    if f.path not in files:
        try:
            with open(f.path, "rb") as fh:
                files[f.path] = fh.read()
        except OSError:
            files[f.path] = None
    data = files[f.path]
    if data is None:
        return None
    applied = apply_fixes(data, [f.fix])
    if not applied.applied:
        return None
    before = data.decode("utf-8", "replace").splitlines(keepends=True)
    after = applied.data.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(before, after, n=1))[2:]  # no ---/+++ header: the path is above
    # the display form, tabs kept (gofmt indents with them; in a code block they are harmless)
    return "".join("\t".join(printable(part) for part in line.rstrip("\r\n").split("\t")) + "\n" for line in lines)


def _longest_backticks(text: str) -> int:
    best = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    return best
