"""SARIF 2.1.0, as GitHub code scanning reads it: one run, the rules that ran in
`tool.driver.rules`, results with a region and `partialFingerprints`, and file-level problems as
tool execution notifications."""

from __future__ import annotations

import json

from linter import __version__
from linter.engine import Result
from linter.model import Rule

INFORMATION_URI = "https://github.com/goplumber/goplumber"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(path: str) -> str:
    p = path.replace("\\", "/")
    return p[2:] if p.startswith("./") else p


def _rule(rule: Rule) -> dict[str, object]:
    meta = rule.metadata.get("metadata", {}) or {}
    text = rule.description or rule.message
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": list(meta.get("tags", ["leak"])),
            "precision": meta.get("precision", "high"),
        },
    }


def render(result: Result, rules: list[Rule] | None = None) -> str:
    rules = sorted(rules or [], key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in result.findings:
        item: dict[str, object] = {
            "ruleId": f.rule_id,
            "level": LEVELS.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
            "partialFingerprints": {"goplumber/v1": f.fingerprint},
        }
        if f.rule_id in index:
            item["ruleIndex"] = index[f.rule_id]
        results.append(item)
    notifications = [
        {
            "level": "warning",
            "message": {"text": e.message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(e.path)}}}],
        }
        for e in result.errors
    ]
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "goplumber",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(r) for r in rules],
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
