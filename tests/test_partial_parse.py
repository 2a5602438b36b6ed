"""Declaration-by-declaration parsing: a file whose active rules only look inside one top-level
declaration is parsed in pieces. It must give exactly what parsing the whole file gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter import engine
from linter.engine import Options, check_paths, prepare_rules
from linter.prefilter import declaration_ranges

ROOT = Path(__file__).resolve().parent.parent


def _findings(paths: list[str]) -> list[tuple[str, int, str, str]]:
    rules = prepare_rules(Options())
    result = check_paths(paths, rules, Options())
    return [(f.path, f.line, f.rule_id, f.message) for f in result.findings]


def test_same_findings_as_whole_file_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(ROOT / "testdata"), str(ROOT / "examples")]
    pieces = _findings(paths)
    monkeypatch.setattr(engine, "declaration_ranges", lambda data, rules: None)
    whole = _findings(paths)
    assert pieces == whole
    assert any(rule == "subslice-retained" for _, _, rule, _ in pieces)


def test_split_points_skip_comments_and_raw_strings() -> None:
    rules = [r for r in prepare_rules(Options()) if r.id == "subslice-retained"]
    data = (ROOT / "testdata" / "subslice-retained" / "layout.go").read_bytes()
    ranges = declaration_ranges(data, rules)
    assert ranges is not None and ranges  # it does split this file
    heads = [data[a:b].split(b"\n", 1)[0] for a, b in ranges]
    # every piece starts a real declaration: never the `func` lines inside the comment or string
    assert all(h.startswith((b"import ", b"func ", b"var ", b"const ")) for h in heads), heads
    assert not any(h.startswith((b"func commentedOut", b"func inTemplate", b"func looksLike")) for h in heads)
    assert any(h.startswith(b"func afterComment") for h in heads)


def test_a_rule_that_looks_outside_its_declaration_gets_whole_files() -> None:
    rules = prepare_rules(Options())
    data = (ROOT / "testdata" / "subslice-retained" / "layout.go").read_bytes()
    by_id = {r.id: r for r in rules}
    assert declaration_ranges(data, [by_id["time-after-in-loop"]]) is None  # loop context: package-wide
    assert declaration_ranges(data, [by_id["subslice-retained"], by_id["unbounded-label"]]) is None


def test_prefilter_reads_a_package_selector_as_one_chain() -> None:
    """`time.After($D)` needs `time`, a dot and `After` together: a file with the words `time`
    and `After` apart (`t.After(u)` and `time.Now()`) cannot match; a line break after the dot
    (legal Go, kept by gofmt) still counts."""
    from linter.prefilter import may_match

    rule = next(r for r in prepare_rules(Options()) if r.id == "time-after-in-loop")
    apart = b'package p\nimport "time"\nfunc f(t, u time.Time) bool { for { if t.After(u) { return true } } }\n'
    broken = b'package p\nimport "time"\nfunc f(ch chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-ch:\n\t\tcase <-time.\n\t\t\tAfter(time.Second):\n\t\t}\n\t}\n}\n'
    assert not may_match(rule, apart)
    assert may_match(rule, broken)
    assert _findings_for(broken, tmp_name="broken.go") == [("broken.go", 7, "time-after-in-loop")]


def _findings_for(src: bytes, tmp_name: str) -> list[tuple[str, int, str]]:
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, tmp_name)
        with open(path, "wb") as fh:
            fh.write(src)
        result = check_paths([path], prepare_rules(Options()), Options())
        return [(os.path.basename(f.path), f.line, f.rule_id) for f in result.findings]


# -- the one-pass declaration search equals searching each declaration alone ----------------------

_PIECES = [b"x[i:]", b"m[k] = v", b"append(a, b)", b"Store", b"\n", b" ", b"`", b"/*", b"*/", b'"', b"'", b"//", b"]", b"=", b"a", b"\\"]
_PIECES += [b".", b"(", b"[", b"\t", b"append", b"x.Store("]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.lists(st.integers(0, 60), max_size=8))
def test_one_pass_search_equals_per_declaration_search(parts: list[bytes], cuts: list[int]) -> None:
    """A hit found in one pass through the file is credited to its declaration; one that runs
    into the next is retried inside its own, so nothing differs from a search per declaration."""
    import re

    from linter.prefilter import _declarations_with, _regex_finder, _word_finder

    data = b"".join(parts) + b"\n"
    bounds = sorted({0, *(c for c in cuts if c < len(data))}) + [len(data)]
    everything = list(range(len(bounds) - 1))
    for rx in (re.compile(rb"\[(?:[^\[\]\n]|\[[^\]\n]*\])*:"), re.compile(rb"\][ \t]*=(?!=)"), re.compile(rb"a\s*\]")):
        find = _regex_finder(data, rx)
        alone = [i for i in everything if find(bounds[i], bounds[i + 1]) is not None]
        assert _declarations_with(data, bounds, everything, find) == alone
        among = everything[::2]
        assert _declarations_with(data, bounds, among, find) == [i for i in alone if i in among]
    for token in (b"Store", b".Store(", b"append(", b"x.Store"):
        find = _word_finder(data, token)
        assert _declarations_with(data, bounds, everything, find) == [i for i in everything if find(bounds[i], bounds[i + 1]) is not None]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"`", b"/*", b"*/", b"/", b"*", b'"', b"'", b"//", b"\\", b" "]), max_size=30))
def test_spanning_tokens_are_lexed_like_one_token_at_a_time(parts: list[bytes]) -> None:
    """The fast lexer (one possessive match per multi-line token) finds the same multi-line
    block comments and raw strings as lexing every comment, string and rune in turn."""
    import re

    from linter.prefilter import _SPANNING

    data = b"".join(parts)
    # a string or rune ends at its line's end: no escape continues it (Go has no line continuation)
    one_at_a_time = re.compile(rb"//[^\n]*|/\*.*?\*/|`[^`]*`|\"(?:\\[^\n]|[^\"\\\n])*\"|'(?:\\[^\n]|[^'\\\n])*'", re.DOTALL)
    expected = [m.span() for m in one_at_a_time.finditer(data) if b"\n" in m.group()]
    assert [m.span(1) for m in _SPANNING.finditer(data) if m.start(1) >= 0] == expected


def test_a_called_name_is_looked_for_in_its_call_shape() -> None:
    """`$VEC.With($L)` needs `.With(` (a line break after the dot and spaces before the paren
    allowed), not the word "With" in a comment; `append($S, $$$V)` needs `append(`."""
    from linter.patterns import Pattern
    from linter.prefilter import may_match

    assert {".With(", "With"} <= Pattern.compile("$VEC.With($L)").literals
    assert "append(" in Pattern.compile("$S = append($S, $$$V)").literals
    rule = next(r for r in prepare_rules(Options()) if r.id == "unbounded-label")
    assert not may_match(rule, b"package p\n// With the labels below.\nfunc f() { g.Without(x) }\n")
    assert may_match(rule, b"package p\nfunc f() { v.With(l) }\n")
    assert may_match(rule, b"package p\nfunc f() { v.\n\t\tWith (l) }\n")
    assert not may_match(rule, b"package p\nfunc f() { With(l) }\n")  # not a method call
