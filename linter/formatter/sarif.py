"""SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules that ran in
`tool.driver.rules`, results with a region and `partialFingerprints`, unused suppressions
(--report-unused-ignores) as results of the `unused-suppression` rule, and file errors as tool
execution notifications: level `error` for a file that could not be fully checked (then
`executionSuccessful` is false), `note` for a note (a binary file, a syntax error).

Artifact URIs are relative to the repository root holding the file (`uriBaseId` `%SRCROOT%`,
declared in `originalUriBaseIds`) whatever path was given, and percent-encode the path's raw
bytes. Columns are code points (`columnKind`), converted from goplumber's byte columns with the
source line. Rule descriptions stay within GitHub's limits (1,024 characters for the short and
full description); the whole text is in `help`. A finding with an automatic fix carries it as
SARIF `fixes` (one artifact change of its file, a replacement per edit)."""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections import Counter
from typing import Any

from linter import __version__
from linter.engine import Result
from linter.formatter import incomplete
from linter.formatter.escape import printable
from linter.formatter.location import Anchored, Sources, anchor, root_uri, uri_of
from linter.model import Rule

INFORMATION_URI = "https://github.com/goplumber/goplumber"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
DESCRIPTION_LIMIT = 1024  # GitHub code scanning: shortDescription and fullDescription
UNUSED = "unused-suppression"
UNUSED_TEXT = (
    "A goplumber:ignore or nolint comment that suppresses no finding of the rules that ran. Remove it, or fix the rule id it names."
)


def _paragraphs(text: str) -> list[str]:
    """The prose paragraphs of a rule description, lines joined, up to its first code block."""
    out = []
    for p in textwrap.dedent(text).strip().split("\n\n"):
        if not p.strip():
            continue
        if p.startswith((" ", "\t")):
            break
        out.append(" ".join(p.split()))
    return out


def limited(text: str, limit: int = DESCRIPTION_LIMIT, paragraphs: int = 99) -> str:
    """Whole leading prose paragraphs of `text` (lines joined) that fit in `limit` characters; a
    first paragraph longer than that is cut at a word and ends with an ellipsis."""
    found = _paragraphs(text)[:paragraphs] or [" ".join(text.split())]
    out = ""
    for p in found:
        joined = f"{out}\n\n{p}" if out else p
        if len(joined) > limit:
            break
        out = joined
    if not out:
        out = found[0][: limit - 1].rsplit(" ", 1)[0] + "\u2026"
    return out


def _rule(rule: Rule) -> dict[str, object]:
    meta = rule.metadata.get("metadata", {}) or {}
    text = textwrap.dedent(rule.description or rule.message).strip()
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": limited(text, paragraphs=1)},
        "fullDescription": {"text": limited(text)},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": list(meta.get("tags", ["leak"])),
            "precision": meta.get("precision", "high"),
        },
    }


def _unused_rule() -> dict[str, object]:
    return {
        "id": UNUSED,
        "name": "UnusedSuppression",
        "shortDescription": {"text": "A suppression comment that suppresses nothing."},
        "fullDescription": {"text": UNUSED_TEXT},
        "help": {"text": UNUSED_TEXT, "markdown": UNUSED_TEXT},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["maintainability"], "precision": "very-high"},
    }


class _Artifacts:
    """Artifact locations: relative to the most common repository root (`%SRCROOT%`), others
    as absolute file URIs."""

    def __init__(self, paths: list[str]) -> None:
        self.anchored = {p: anchor(p) for p in paths}
        roots = Counter(a.root for a in self.anchored.values() if a.root is not None)
        self.root = roots.most_common(1)[0][0] if roots else None

    def location(self, path: str) -> dict[str, str]:
        a: Anchored = self.anchored[path]
        if a.root is not None and a.root == self.root:
            return {"uri": uri_of(a.rel), "uriBaseId": SRCROOT}
        if a.root is not None:
            return {"uri": root_uri(a.root) + uri_of(a.rel)}
        return {"uri": uri_of(a.rel)}

    def base_ids(self) -> dict[str, object]:
        return {SRCROOT: {"uri": root_uri(self.root)}} if self.root else {}


def _fix(fix: Any, location: dict[str, str], path: str, sources: Sources) -> dict[str, object]:
    """A SARIF `fix`: one artifact change of the finding's file, a replacement per edit (the
    deleted region in the run's code-point columns, empty for an insertion; the inserted text
    verbatim)."""

    def region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
        return {
            "startLine": line,
            "startColumn": sources.code_point_column(path, line, column),
            "endLine": end_line,
            "endColumn": sources.code_point_column(path, end_line, end_column),
        }

    replacements = [
        {
            "deletedRegion": region(e.start_line, e.start_column, e.end_line, e.end_column),
            **({"insertedContent": {"text": e.text}} if e.text else {}),
        }
        for e in fix.edits
    ]
    return {
        "description": {"text": printable(fix.description)},
        "artifactChanges": [{"artifactLocation": dict(location), "replacements": replacements}],
    }


def render(result: Result, rules: list[Rule] | None = None) -> str:
    rules = sorted(rules or [], key=lambda r: r.id)
    descriptors = [_rule(r) for r in rules]
    if result.unused_ignores:
        descriptors.append(_unused_rule())
    index = {str(d["id"]): i for i, d in enumerate(descriptors)}
    artifacts = _Artifacts(
        sorted({f.path for f in result.findings} | {e.path for e in result.errors} | {u[0] for u in result.unused_ignores})
    )
    sources = Sources()
    results: list[dict[str, object]] = []
    for f in result.findings:
        item: dict[str, object] = {
            "ruleId": f.rule_id,
            "level": LEVELS.get(f.severity, "warning"),
            "message": {"text": printable(f.message)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifacts.location(f.path),
                        "region": {
                            "startLine": f.line,
                            "startColumn": sources.code_point_column(f.path, f.line, f.column),
                            "endLine": f.end_line,
                            "endColumn": sources.code_point_column(f.path, f.end_line, f.end_column),
                        },
                    }
                }
            ],
            "partialFingerprints": {"goplumber/v1": f.fingerprint},
        }
        if f.rule_id in index:
            item["ruleIndex"] = index[f.rule_id]
        if f.fix is not None:
            item["fixes"] = [_fix(f.fix, artifacts.location(f.path), f.path, sources)]
        results.append(item)
    for path, line, text in result.unused_ignores:
        digest = hashlib.sha256(
            b"\0".join((UNUSED.encode(), uri_of(path).encode(), str(line).encode(), text.encode("utf-8", "replace")))
        ).hexdigest()
        results.append(
            {
                "ruleId": UNUSED,
                "ruleIndex": index[UNUSED],
                "level": "warning",
                "message": {"text": printable(f"unused suppression: {text}")},
                "locations": [{"physicalLocation": {"artifactLocation": artifacts.location(path), "region": {"startLine": line}}}],
                "partialFingerprints": {"goplumber/v1": digest[:32]},
            }
        )
    notifications = [
        {
            "level": "error" if incomplete(e) else "note",
            "message": {"text": printable(f"not fully checked: {e.message}" if incomplete(e) else e.message)},
            "locations": [{"physicalLocation": {"artifactLocation": artifacts.location(e.path)}}],
        }
        for e in result.errors
    ]
    invocation: dict[str, object] = {"executionSuccessful": not any(incomplete(e) for e in result.errors)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "goplumber",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        "invocations": [invocation],
    }
    if artifacts.base_ids():
        run["originalUriBaseIds"] = artifacts.base_ids()
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2) + "\n"
