"""Machine-readable output: findings, errors (files not fully checked, with their `kind`:
`linter.model.INCOMPLETE_KINDS` make `check` exit 3, the others are notes), unused suppressions
(with --report-unused-ignores) and stats as one JSON document. Paths and messages are in the
escaped display form (`linter.formatter.escape`), so the document is valid UTF-8 whatever the
file names; columns are 1-based bytes, like go vet. A finding's `fix` is null, or the edits
`check --fix` would make (see `fix_json`)."""

from __future__ import annotations

import json
from typing import Any

from linter import __version__
from linter.engine import Result
from linter.formatter.escape import display_path, printable
from linter.model import Rule


def render(result: Result, rules: list[Rule] | None = None) -> str:
    s = result.stats
    doc = {
        "version": __version__,
        "findings": [
            {**f.to_json(), "path": display_path(f.path), "message": printable(f.message), "fix": fix_json(f.fix)} for f in result.findings
        ],
        "errors": [{**e.to_json(), "path": display_path(e.path), "message": printable(e.message)} for e in result.errors],
        "unused_ignores": [{"path": display_path(p), "line": line, "text": printable(text)} for p, line, text in result.unused_ignores],
        "stats": {
            "files": s.files,
            "parsed": s.parsed,
            "lines": s.lines,
            "skipped_generated": s.skipped_generated,
            "findings": len(result.findings),
        },
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def fix_json(fix: Any) -> dict[str, Any] | None:
    """A finding's fix (None: no automatic fix): its description (display form) and its edits
    as 1-based line/column ranges of the file as it is (columns in bytes, like the finding's;
    end exclusive, an insertion when start equals end) with the replacement text, verbatim."""
    if fix is None:
        return None
    return {
        "description": printable(fix.description),
        "strategy": fix.strategy,
        "edits": [
            {
                "start_line": e.start_line,
                "start_column": e.start_column,
                "end_line": e.end_line,
                "end_column": e.end_column,
                "text": e.text,
            }
            for e in fix.edits
        ],
    }
