"""Baselines: record today's findings by fingerprint, later report only new ones. A baseline is
a small JSON file; it needs no git, and it survives moved lines and reformatting because
fingerprints hash the normalised code, not line numbers."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from linter import __version__
from linter.model import Finding


class BaselineError(ValueError):
    pass


@dataclass
class BaselineOutcome:
    kept: list[Finding]
    baselined: int
    stale: int  # baseline entries that no longer occur


def write(path: str, findings: list[Finding]) -> None:
    doc = {
        "goplumber": __version__,
        "findings": [
            {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path, "line": f.line, "message": f.message} for f in findings
        ],
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")


MAX_BASELINE_BYTES = 512 * 1024 * 1024  # a baseline of 2 million findings is about 250 MB


def read(path: str) -> Counter[str]:
    from linter.safeio import ReadError, read_bounded

    try:
        data = read_bounded(path, MAX_BASELINE_BYTES, "baseline")
    except ReadError as e:
        raise BaselineError(f"{path}: cannot read baseline: {e}") from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise BaselineError(f"{path}:{line}: baseline is not UTF-8") from None
    except json.JSONDecodeError as e:
        raise BaselineError(f"{path}:{e.lineno}: baseline is not valid JSON: {e.msg}") from None
    except RecursionError:
        raise BaselineError(f"{path}: baseline is not a goplumber baseline (nested too deeply)") from None
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        raise BaselineError(f"{path}: baseline is not valid JSON: {e}") from None
    items = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("fingerprint"), str) for i in items):
        raise BaselineError(f'{path}: not a goplumber baseline (expected {{"findings": [{{"fingerprint": ...}}]}})')
    return Counter(i["fingerprint"] for i in items)


def apply(path: str, findings: list[Finding]) -> BaselineOutcome:
    known = read(path)
    remaining = Counter(known)
    kept = []
    baselined = 0
    for f in findings:
        if remaining[f.fingerprint] > 0:
            remaining[f.fingerprint] -= 1
            baselined += 1
        else:
            kept.append(f)
    return BaselineOutcome(kept, baselined, sum(remaining.values()))
