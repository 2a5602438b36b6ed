"""Machine-readable output: findings, errors and stats as one JSON document."""

from __future__ import annotations

import json

from linter import __version__
from linter.engine import Result
from linter.model import Rule


def render(result: Result, rules: list[Rule] | None = None) -> str:
    s = result.stats
    doc = {
        "version": __version__,
        "findings": [f.to_json() for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        "stats": {
            "files": s.files,
            "parsed": s.parsed,
            "lines": s.lines,
            "skipped_generated": s.skipped_generated,
            "findings": len(result.findings),
        },
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
