"""Literal text a regex cannot match without, for prefiltering: `^grpc\\.Dial(Context)?$` needs
"grpc.Dial". Returns alternatives, each a list of literals that must all occur, or None when unsure."""

from __future__ import annotations

import re

try:  # Python 3.11+
    import re._parser as sre_parse  # type: ignore[import-not-found]
    from re import _constants as sre_c  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MIN_TOKEN = 3


def required_conjunctions(rx: re.Pattern[str]) -> list[list[str]] | None:
    """Alternatives, each a list of literals that must ALL occur: `^\\w+\\.New\\w*Client$` gives
    [[".New", "Client"]]. None when no useful literal is known."""
    if rx.flags & re.IGNORECASE:
        return None
    try:
        parsed = sre_parse.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - anything odd: no prefilter
        return None
    top = list(parsed)
    branches = [list(b) for b in top[0][1][1]] if len(top) == 1 and top[0][0] is sre_c.BRANCH else [top]  # type: ignore[index]
    out: list[list[str]] = []
    for items in branches:
        runs = [r for r in _runs(items) if len(r) >= MIN_TOKEN]
        if runs:
            out.append(runs)
            continue
        alts = _seq(items)
        if not alts or any(len(a) < MIN_TOKEN for a in alts):
            return None
        out.extend([a] for a in alts)
    return out or None


def _runs(items: list[tuple[object, object]]) -> list[str]:
    """The literal runs of a plain sequence (no alternation at this level)."""
    runs, run = [], ""
    for op, av in items:
        if op is sre_c.LITERAL:
            run += chr(av)  # type: ignore[arg-type]
            continue
        if run:
            runs.append(run)
            run = ""
        if op is sre_c.SUBPATTERN:
            inner = list(av[-1])  # type: ignore[index]
            if not any(o is sre_c.BRANCH for o, _ in inner):
                runs.extend(_runs(inner))
    if run:
        runs.append(run)
    return runs


def _seq(items: list[tuple[object, object]]) -> list[str] | None:
    """Best alternatives for a sequence: the candidate whose shortest member is longest."""
    candidates: list[list[str]] = []
    run = ""
    for op, av in items:
        if op is sre_c.LITERAL:
            run += chr(av)  # type: ignore[arg-type]
            continue
        if run:
            candidates.append([run])
            run = ""
        if op is sre_c.SUBPATTERN:
            sub = _seq(list(av[-1]))  # type: ignore[index]
            if sub:
                candidates.append(sub)
        elif op is sre_c.BRANCH:
            branches = [_seq(list(b)) for b in av[1]]  # type: ignore[index]
            if all(branches):
                candidates.append([t for b in branches for t in b])  # type: ignore[union-attr]
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[0] >= 1:  # type: ignore[index]
            sub = _seq(list(av[2]))  # type: ignore[index]
            if sub:
                candidates.append(sub)
    if run:
        candidates.append([run])
    if not candidates:
        return None
    return max(candidates, key=lambda c: min(len(t) for t in c))
