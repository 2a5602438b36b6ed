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
        every = _expand(items)
        if every and all(len(e) >= MIN_TOKEN for e in every):
            out.extend([e] for e in every)  # the whole text, each way it can be written
            continue
        runs = [r for r in _runs(items) if len(r) >= MIN_TOKEN]
        if runs:
            out.append(runs)
            continue
        alts = _seq(items)
        if not alts or any(len(a) < MIN_TOKEN for a in alts):
            return None
        out.extend([a] for a in alts)
    return out or None


MAX_EXPANSIONS = 64


def _expand(items: list[tuple[object, object]]) -> list[str] | None:
    """Every string a regex of literals, groups, alternatives and `?` can match, when there are
    few (`^grpc\\.(Dial|NewClient)$`: "grpc.Dial", "grpc.NewClient"); None for anything else
    (a class, a repeat). Anchors match no text and are left out."""
    outs = [""]
    for op, av in items:
        if op is sre_c.LITERAL:
            outs = [o + chr(av) for o in outs]  # type: ignore[arg-type]
            continue
        if op is sre_c.AT:
            continue
        if op is sre_c.SUBPATTERN:
            options = _expand(list(av[-1]))  # type: ignore[index]
        elif op is sre_c.BRANCH:
            branches = [_expand(list(b)) for b in av[1]]  # type: ignore[index]
            options = None if any(b is None for b in branches) else [x for b in branches for x in b]  # type: ignore[union-attr]
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:  # type: ignore[index]
            sub = _expand(list(av[2]))  # type: ignore[index]
            options = None if sub is None else ["", *sub]
        else:
            return None
        if options is None:
            return None
        outs = [o + x for o in outs for x in options]
        if len(outs) > MAX_EXPANSIONS:
            return None
    return outs


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
