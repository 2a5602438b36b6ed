"""Findings as LSP diagnostics, and the hover text of a finding.

A diagnostic carries the rule id as `code`, the rule's severity, its exact range in the
client's position encoding and, as `codeDescription`, a `file:` link to the rule's YAML file
(its `description` is what `goplumber explain` prints; goplumber has no web page per rule, so no
web link is made up). The explanation itself is the finding's hover. `data` holds what a code
action needs to find the finding again: the rule id and its fingerprint."""

from __future__ import annotations

import os

from lsprotocol import types

from linter.lsp.checker import FileOutcome, RuleSet
from linter.lsp.positions import Text
from linter.model import Finding, Rule

SOURCE = "goplumber"
INCOMPLETE_CODE = "analysis-incomplete"
SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


def file_uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(path) or "file://" + path


def finding_range(f: Finding, text: Text | None, encoding: str) -> types.Range:
    if text is None:  # the file could not be read again: byte columns are the best guess
        return types.Range(types.Position(f.line - 1, f.column - 1), types.Position(f.end_line - 1, f.end_column - 1))
    sl, sc = text.position(f.line, f.column, encoding)
    el, ec = text.position(f.end_line, f.end_column, encoding)
    return types.Range(types.Position(sl, sc), types.Position(el, ec))


def diagnostics(outcome: FileOutcome, ruleset: RuleSet, encoding: str) -> list[types.Diagnostic]:
    rules = ruleset.by_id
    out = []
    for f in outcome.findings:
        rule = rules.get(f.rule_id)
        href = file_uri(rule.source) if rule is not None and rule.source and os.path.isfile(rule.source) else None
        out.append(
            types.Diagnostic(
                range=finding_range(f, outcome.text, encoding),
                message=f.message,
                severity=SEVERITY.get(f.severity, types.DiagnosticSeverity.Warning),
                code=f.rule_id,
                code_description=types.CodeDescription(href=href) if href else None,
                source=SOURCE,
                data={"rule": f.rule_id, "fingerprint": f.fingerprint},
            )
        )
    for e in outcome.errors:
        if not e.incomplete:
            continue  # notes (a syntax error: gopls shows it) are not goplumber's to report here
        out.append(
            types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"goplumber could not check this file fully ({e.kind}): {e.message}",
                severity=types.DiagnosticSeverity.Warning,
                code=INCOMPLETE_CODE,
                source=SOURCE,
            )
        )
    return out


def config_diagnostic(ruleset: RuleSet) -> types.Diagnostic:
    line = max((ruleset.error_line or 1) - 1, 0)
    return types.Diagnostic(
        range=types.Range(types.Position(line, 0), types.Position(line + 1, 0)),
        message=ruleset.error or "",
        severity=types.DiagnosticSeverity.Error,
        code="config-error",
        source=SOURCE,
    )


def explain(rule: Rule) -> str:
    from linter.cli import explain_text

    return explain_text(rule)


def hover_text(findings: list[Finding], rules: dict[str, Rule], markdown: bool = True) -> str:
    """The hover of the findings under the cursor: each one's message, then its rule's
    explanation, `goplumber explain`'s text (once per rule; the descriptions are written in
    Markdown: backquoted code, indented examples)."""
    parts = []
    seen: set[str] = set()
    for f in findings:
        parts.append(f"**{f.message}** [{f.rule_id}]" if markdown else f"{f.message} [{f.rule_id}]")
        rule = rules.get(f.rule_id)
        if rule is not None and rule.id not in seen:
            seen.add(rule.id)
            parts.append(explain(rule).strip())
    return ("\n\n---\n\n" if markdown else "\n\n").join(parts)
