"""What a file, or one top-level declaration of it, must contain for a rule to match there.

Decided on the bytes before anything is parsed: a pattern's literal names as whole words (a
`pkg.Name` selector as one chain, a called name in its call shape), the substrings a rule's
checks derive or it declares, its `prefilter-regex` and its checks' declaration filters; and,
for rules that only look inside one declaration, which declarations can hold a match (so only
those are parsed). Computed once per rule and cached on it.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable

from linter.analysis.functions import NAME_BYTE, word_positions
from linter.model import Rule
from linter.patterns import is_plain_name

Gated = list[tuple[bytes, list[tuple[bytes, ...]]]]  # (substring, the alternatives containing it)


def prefilter(
    rule: Rule,
) -> tuple[list[tuple[bytes, ...]], list[tuple[bytes, ...]], Gated, list[re.Pattern[bytes]]]:
    """What a file must contain for `rule` to possibly match: every name of one of the sets
    derived from its patterns, as a whole word (a pattern's `With` is not in `WithContext`), and
    every token of one of the substrings its checks derive or it declares (`prefilter`)."""
    got = rule.prefilter_cache
    if got is None:
        literal_sets = [{t.encode() for t in s} for s in rule.matcher.literals()]
        literal_sets = literal_sets if literal_sets and all(literal_sets) else []
        literal_sets = _without_supersets(literal_sets)
        anyof: list[list[bytes]] = [[t.encode()] for t in rule.metadata.get("prefilter", [])]
        for check in rule.checks:
            conj = getattr(check, "prefilter_sets", lambda: None)()
            if conj:
                anyof.extend([t.encode() for t in c] for c in conj)
        regex = rule.metadata.get("prefilter-regex")
        # What a check needs in one declaration, the file needs somewhere (retention: a slice).
        regexes = [re.compile(regex.encode())] if regex else []
        regexes.extend(rx for rx in (c.declaration_filter() for c in rule.checks) if rx is not None)
        words = sorted({tuple(sorted(s, key=lambda t: (-len(t), t))) for s in literal_sets})
        got = (
            [_essential(w) for w in words],
            _minimal([tuple(t for t in w if is_plain_name(t)) for w in words]),  # as plain substrings first: cheap
            _gated(_minimal([tuple(x) for x in anyof])),
            regexes,
        )
        rule.prefilter_cache = got  # on the rule: reconfiguring its checks makes a new Rule state
    return got  # type: ignore[no-any-return]


def candidate_needles(rule: Rule) -> tuple[list[bytes], frozenset[str]] | None:
    """Substrings one of which every candidate that can become a finding contains, and the node
    kinds candidates have; None when no check promises such text (see Check.candidate_text)."""
    got = rule.candidate_cache
    if got is None:
        got = False
        kinds = rule.matcher.candidate_kinds()
        if kinds and not rule.matcher.looks_outside():
            for check in rule.checks:
                alternatives = check.candidate_text()
                if alternatives and all(alternatives) and all(len(t) >= 3 for alt in alternatives for t in alt):
                    grouped = _gated(_minimal([tuple(t.encode() for t in alt) for alt in alternatives]))
                    got = ([g for g, _ in grouped], kinds)
                    break
        rule.candidate_cache = got
    return got or None


_TOP_LEVEL = re.compile(rb"\n(?:func|var|const|type|import|package)\b")  # a literal first: fast to scan for
_OPEN_RAW = re.compile(rb"`[^`\n]*\n")  # a backtick whose line does not close it: maybe a raw string across lines
# The block comments and raw strings that span lines (group 1), lexed as Go's scanner sees
# them: a line starting with `func` inside one is not a declaration. One match eats the code,
# line comments, strings, runes and one-line comments before such a token (possessive, unrolled
# loops: 4x faster than a match per token); `.` steps over a stray quote, `\Z` ends the file.
_SPANNING = re.compile(
    rb"""(?:[^/`"']++|//[^\n]*+|/(?![*/])"""
    rb"""|"[^"\\\n]*+(?:\\[^\n][^"\\\n]*+)*+"|'[^'\\\n]*+(?:\\[^\n][^'\\\n]*+)*+'"""
    rb"""|/\*[^*\n]*+(?:\*(?!/)[^*\n]*+)*+\*/|`[^`\n]*+`)*+"""
    rb"""(?:(/\*.*?\*/|`[^`]*`)|.|\Z)""",
    re.DOTALL,
)


def declaration_prefilter(rule: Rule) -> tuple[list[tuple[bytes, ...] | re.Pattern[bytes]], list[re.Pattern[bytes]]] | None:
    """What one top-level declaration must contain for `rule` to match inside it, or None when
    the rule looks beyond the declaration (an `inside` relation, a package-scoped check)."""
    got = rule.declaration_cache
    if got is None:
        if rule.matcher.looks_outside() or any(getattr(c, "scope", "package") != "declaration" for c in rule.checks):
            got = False
        else:
            hooks = list(dict.fromkeys(rule.matcher.declaration_hooks() or []))  # once each, in order
            sets = [re.compile(h) if kind == "regex" else _essential(h) for kind, h in hooks]
            filters = [rx for rx in (c.declaration_filter() for c in rule.checks) if rx is not None]
            got = (sets, filters)
        rule.declaration_cache = got
    return got or None


def declaration_ranges(data: bytes, rules: list[Rule]) -> list[tuple[int, int]] | None:
    """The byte ranges of the top-level declarations some rule may match in, when every rule is
    declaration-local and that leaves something out; None means "parse the whole file". gofmt'd
    code starts each declaration at column 0; code that is not splits into pieces that do not
    parse on their own, and SourceFile.parse then falls back to the whole file."""
    got = [declaration_prefilter(r) for r in rules]
    if not rules or any(p is None for p in got):
        return None
    starts = [m.start() for m in _TOP_LEVEL.finditer(b"\n" + data)]  # offsets in `data`: the prepended newline cancels the +1
    if not starts:
        return None
    if b"/*" in data or _OPEN_RAW.search(data):  # only these span lines
        spans = [m.span(1) for m in _SPANNING.finditer(data) if m.start(1) >= 0]  # disjoint, in order
        if spans:
            opens = [a for a, _ in spans]

            def in_span(s: int) -> bool:
                k = bisect.bisect_right(opens, s) - 1
                return k >= 0 and s < spans[k][1]

            starts = [s for s in starts if not in_span(s)]
    # Each hook or filter is searched once through the file, jumping to the next declaration
    # still in question after a hit, instead of once per declaration (most files have dozens).
    bounds = [*starts, len(data)]
    everything = range(len(starts))
    keep: set[int] = set()
    for sets, filters in got:  # type: ignore[misc]
        wanted: list[int] | range = everything
        for rx in filters:
            wanted = _declarations_with(data, bounds, wanted, _regex_finder(data, rx))
        if sets:
            hooked: list[int] = []
            unhooked: list[int] | range = wanted  # not yet known to hold any alternative
            missing: set[bytes] = set()  # not even substrings of those: nor is any name containing one
            for s in sets:
                if not unhooked:
                    break
                if isinstance(s, tuple):
                    if any(m in t for m in missing for t in s):
                        continue  # `LoadOrStore` cannot be where `Store` is not
                    lo = bounds[unhooked[0]]
                    gone = [p for t in s for p in _parts(t) if data.find(p, lo) == -1]
                    if gone:
                        missing.update(gone)  # from `lo` on: `unhooked` only shrinks
                        continue
                    found = unhooked
                    for t in s:
                        found = _declarations_with(data, bounds, found, _word_finder(data, t))
                else:
                    found = _declarations_with(data, bounds, unhooked, _regex_finder(data, s))
                if found:
                    hooked.extend(found)
                    done = set(found)
                    unhooked = [i for i in unhooked if i not in done]
            wanted = sorted(hooked)
        if len(wanted) == len(starts):
            return None
        keep.update(wanted)
    return None if len(keep) == len(starts) else [(bounds[i], bounds[i + 1]) for i in sorted(keep)]


Finder = Callable[[int, int], "tuple[int, int] | None"]  # first hit at or after `start`, ending by `end`


def _declarations_with(data: bytes, bounds: list[int], among: list[int] | range, find: Finder) -> list[int]:
    """Which of the declarations `among` (indexes into `bounds`, ascending) contain a hit. A hit
    that runs into the next declaration is retried within its own one, so the answer is what a
    search of each declaration alone gives."""
    out = []
    k = 0
    while k < len(among):
        i = among[k]
        hit = find(bounds[i], len(data))
        if hit is None:
            break
        s, e = hit
        j = bisect.bisect_right(bounds, s) - 1  # the declaration the hit starts in
        if j != i:  # past declaration i: skip to the first wanted one at or after j
            k = bisect.bisect_left(among, j, k)
            if k == len(among) or among[k] != j:
                continue
        if e < bounds[j + 1] or find(bounds[j], bounds[j + 1]) is not None:
            out.append(j)
        k += 1
    return out


def _regex_finder(data: bytes, rx: re.Pattern[bytes]) -> Finder:
    def find(start: int, end: int) -> tuple[int, int] | None:
        m = rx.search(data, start, end)
        return m.span() if m is not None else None

    return find


def _word_finder(data: bytes, name: bytes) -> Finder:
    return lambda start, end: _find_token(data, name, start, end)


def _essential(tokens: tuple[bytes, ...]) -> tuple[bytes, ...]:
    """Without the plain names a chain or call shape of the same set already asks for (`After`
    when `.After(` is there), longest first: each is one more scan of the file."""
    parts = {p for t in tokens if not is_plain_name(t) for p in _parts(t)}
    return tuple(sorted((t for t in tokens if not is_plain_name(t) or t not in parts), key=lambda t: (-len(t), t)))


def _gated(alternatives: list[tuple[bytes, ...]]) -> Gated:
    """The alternatives grouped under substrings they share, so a file that has none (most)
    costs one scan per group, not one per alternative: `.New` stands for `time.NewTicker`,
    `clientv3.New` and `pool.New`. Greedy set cover: the substring (3 bytes or more) of some
    token that the most alternatives contain, the longest among equals, until all are covered."""
    uncovered = list(alternatives)
    out: Gated = []
    work = 0
    while uncovered:
        if work > PRUNE_WORK:  # (see PRUNE_WORK) the rest one group each, under its longest token
            out.extend((max(alt, key=len) if alt else b"", [alt]) for alt in uncovered)
            break
        counts: dict[bytes, int] = {}
        for alt in uncovered:
            subs = {t[i:j] for t in alt for i in range(len(t)) for j in range(i + 3, len(t) + 1)}
            work += len(subs) + 1
            for sub in subs:
                counts[sub] = counts.get(sub, 0) + 1
        if not counts:  # a token shorter than 3 bytes: that alternative is its own group
            alt = uncovered.pop(0)
            out.append((min(alt, key=len), [alt]))
            continue
        best = max(counts, key=lambda sub: (counts[sub], len(sub), sub))
        out.append((best, [a for a in uncovered if any(best in t for t in a)]))
        uncovered = [a for a in uncovered if not any(best in t for t in a)]
    return out


@functools.cache
def _parts(token: bytes) -> tuple[bytes, ...]:
    """The names in a token: `time.After` has `time` and `After`, `.After(` has `After`."""
    return tuple(p for p in re.split(rb"[.(]", token) if p)


# Dropping an alternative another one implies, or grouping alternatives under a shared
# substring, only saves scans: an `any` of alternatives is true of the same files with or without
# them. So each of these passes stops after about this many steps (a hostile `any:` of 16,000
# patterns made them quadratic: three minutes) and keeps the rest as they are.
PRUNE_WORK = 2_000_000


def _without_supersets(sets: list[set[bytes]]) -> list[set[bytes]]:
    """Without the sets that have a proper subset among the others (implied by it). A subset
    holds its own rarest name, so only the sets indexed under one of a set's names are compared."""
    counts: dict[bytes, int] = {}
    for s in sets:
        for t in s:
            counts[t] = counts.get(t, 0) + 1
    by_rarest: dict[bytes, list[int]] = {}
    for i, s in enumerate(sets):
        if s:
            by_rarest.setdefault(min(s, key=lambda t: (counts[t], t)), []).append(i)
    out, work = [], 0
    for s in sets:
        if work <= PRUNE_WORK:
            candidates = [j for t in s for j in by_rarest.get(t, ())]
            work += len(candidates) + len(s)
            if any(sets[j] < s for j in candidates):
                continue
        out.append(s)
    return out


def _minimal(alternatives: list[tuple[bytes, ...]]) -> list[tuple[bytes, ...]]:
    """Drop the alternatives another one implies: a file containing `WatchPrefix` contains
    `Watch`, so [Watch | WatchPrefix] needs one scan, not two. Tokens longest (rarest) first.
    An alternative `a` implied by `b` has each token inside a token of `b`, its longest one
    included: only the alternatives whose longest token is a substring of one of b's are tried."""
    if any(not b for b in alternatives):
        return [()]  # no token needed: every file

    def implies(b: tuple[bytes, ...], a: tuple[bytes, ...]) -> bool:  # containing all of b => all of a
        return all(any(x in y for y in b) for x in a)

    by_longest: dict[bytes, list[int]] = {}
    for j, a in enumerate(alternatives):
        by_longest.setdefault(max(a, key=lambda t: (len(t), t)), []).append(j)
    lengths = sorted({len(t) for t in by_longest})
    keep, work = [], 0
    for i, b in enumerate(alternatives):
        redundant = False
        if work <= PRUNE_WORK:
            candidates: set[int] = set()
            for y in set(b):
                for n in lengths:
                    if n > len(y):
                        break
                    work += len(y) - n + 1
                    for k in range(len(y) - n + 1):
                        candidates.update(by_longest.get(y[k : k + n], ()))
            candidates.discard(i)
            work += len(candidates) * len(b)
            redundant = any(implies(b, alternatives[j]) and (not implies(alternatives[j], b) or j < i) for j in sorted(candidates))
        if not redundant:
            keep.append(tuple(sorted(set(b), key=lambda t: (-len(t), t))))
    return keep


@functools.cache
def _chain(dotted: bytes) -> re.Pattern[bytes]:
    """`pkg.Name` with spaces allowed around the dot. No lookbehind in front: a regex that starts
    with a literal is scanned for with a fast search (25x faster); _chain_at checks the byte before."""
    first, _, rest = dotted.partition(b".")
    return re.compile(re.escape(first) + rb"\s*\.\s*" + re.escape(rest) + rb"(?![\w\x80-\xff])")


def _find_token(data: bytes, token: bytes, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """Where a literal token first occurs within data[start:end]: a call shape (`.With(`), a
    chain (`time.After`, spaces allowed around the dot) or a whole identifier (no ASCII name
    character, and no byte of a non-ASCII one, on either side)."""
    end = len(data) if end is None else end
    if token.endswith(b"("):
        return _call_at(data, token, start, end)
    if b"." in token:
        return _chain_at(data, token, start, end)
    i = next(word_positions(data, token, start, end), None)
    return None if i is None else (i, i + len(token))


def _chain_at(data: bytes, dotted: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Where the chain `dotted` first occurs as whole words within data[start:end]."""
    rx = _chain(dotted)
    m = rx.search(data, start, end)
    while m is not None:
        i = m.start()
        if i == 0 or not NAME_BYTE[data[i - 1]]:
            return m.span()
        m = rx.search(data, i + 1, end)  # not finditer: a whole-word match may overlap this one
    return None


def _call_at(data: bytes, token: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Where the call shape `token` first occurs within data[start:end]: `.Name(` is a dot
    (line breaks allowed after it, as gofmt keeps them), the whole word Name and `(`; `Name(`
    is the whole word and `(`, or `[` for type arguments. Spaces may come before the bracket."""
    method = token.startswith(b".")
    name = token[1:-1] if method else token[:-1]
    for i in word_positions(data, name, start, end):
        j = i + len(name)
        while j < end and data[j] in b" \t":
            j += 1
        if j >= end or data[j] != 0x28 and (method or data[j] != 0x5B):  # `(`, or `[` for a function
            continue
        if not method:
            return i, j + 1
        k = i - 1
        while k >= start and data[k] in b" \t\r\n":
            k -= 1
        if k >= start and data[k] == 0x2E:  # `.`
            return k, j + 1
    return None


def may_match(rule: Rule, data: bytes) -> bool:
    sets, gate, anyof, regexes = prefilter(rule)
    if gate and not any(all(tok in data for tok in s) for s in gate):
        return False
    if sets and not any(all(_find_token(data, tok) is not None for tok in s) for s in sets):
        return False
    if anyof and not any(g in data and any(all(tok in data for tok in conj) for conj in alts) for g, alts in anyof):
        return False
    return all(rx.search(data) is not None for rx in regexes)
