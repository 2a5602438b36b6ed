"""Literal text derived from regexes and patterns for prefiltering: it must be necessary (a file
without it cannot match), and it should be specific (few files have it)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.prefilter import _gated
from linter.regexlit import required_conjunctions


def test_a_finite_regex_gives_every_text_it_matches() -> None:
    assert required_conjunctions(re.compile(r"^grpc\.(Dial|NewClient)$")) == [["grpc.Dial"], ["grpc.NewClient"]]
    assert required_conjunctions(re.compile(r"^(redis|goredis)\.NewRing$")) == [["redis.NewRing"], ["goredis.NewRing"]]
    assert required_conjunctions(re.compile(r"^sql\.Open(DB)?$")) == [["sql.Open"], ["sql.OpenDB"]]


def test_an_open_regex_gives_its_literal_runs() -> None:
    assert required_conjunctions(re.compile(r"^\w+\.New\w*Client$")) == [[".New", "Client"]]
    assert required_conjunctions(re.compile(r"(?i)^grpc\.Dial$")) is None  # case-insensitive: no literal is certain
    assert required_conjunctions(re.compile(r"^\w+$")) is None


_REGEXES = [r"^grpc\.(Dial|DialContext|NewClient)$", r"^(a|bc)\.(Open|Connect)?x$", r"^sql\.Open(DB)?$", r"^\w+\.New\w*Client$"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_REGEXES).flatmap(lambda p: st.tuples(st.just(p), st.from_regex(p, fullmatch=True))))
def test_derived_literals_are_necessary(case: tuple[str, str]) -> None:
    """Whatever a regex matches contains every literal of one of its alternatives."""
    pattern, text = case
    conj = required_conjunctions(re.compile(pattern))
    assert conj
    assert any(all(t in text for t in alt) for alt in conj)


_TOKENS = [b"grpc.Dial", b".New", b"Client", b"sql.Open", b"sqlx.Open", b".Connect", b"nats.Connect", b"ab", b"time.NewTicker", b"redis"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=2).map(tuple), min_size=1, max_size=8),
    st.lists(st.sampled_from([*_TOKENS, b" ", b"x", b".", b"New", b"Conn"]), max_size=12).map(b"".join),
)
def test_grouping_alternatives_under_shared_text_decides_the_same(alternatives: list[tuple[bytes, ...]], data: bytes) -> None:
    """One scan per shared substring (`.New` for `time.NewTicker` and `pool.New`) instead of one
    per alternative: the same files pass."""
    gated = _gated(alternatives)
    assert sorted(a for _, alts in gated for a in alts) == sorted(alternatives)  # each in exactly one group
    assert all(any(g in t for t in a) for g, alts in gated for a in alts)
    plain = any(all(t in data for t in a) for a in alternatives)
    assert any(g in data and any(all(t in data for t in a) for a in alts) for g, alts in gated) == plain


def test_unclosed_client_needs_five_scans_for_a_file_without_clients() -> None:
    """One per shared token; `http.Transport` (the transport literal and DefaultTransport's
    Clone()) is the fifth."""
    from linter.engine import Options, prepare_rules
    from linter.prefilter import prefilter

    rule = next(r for r in prepare_rules(Options()) if r.id == "unclosed-client")
    groups = prefilter(rule)[2]
    assert sorted(g for g, _ in groups) == [b".Connect", b".Dial", b".New", b".Open", b"http.Transport"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([b"run", b"xrun", b".run", b"run2", b" ", b"(", b"[", b"\n", b"func ", b"(r T) ", b"{", b"_"]), max_size=12
    ).map(b"".join)
)
def test_call_graph_shapes_find_what_a_leading_lookbehind_finds(data: bytes) -> None:
    """The shapes put the name first for speed; the hits are those of the plain form."""
    from linter.analysis.functions import ANY_USE, CALL, FUNC_DECL

    plain = {
        CALL: rb"(?<![\w.])(run)\s*\(",
        FUNC_DECL: rb"\bfunc\b[^\n{]*?(?<![\w.])(run)\s*[\[(]",
        ANY_USE: rb"(?<![\w])(run)(?![\w])",
    }
    for shape, reference in plain.items():
        fast = re.compile(shape.replace(b"{}", b"run"))
        assert [m.span(1) for m in fast.finditer(data)] == [m.span(1) for m in re.compile(reference).finditer(data)]
