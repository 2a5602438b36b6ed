"""Pattern semantics: metavariables, sequences, repeated names, operators."""

from __future__ import annotations

import pytest

from linter.parsing import SourceFile
from linter.patterns import Pattern, PatternError

SRC = b"""package p
func f() {
	a.Close()
	a.b.Close()
	x := y
	x = x
	m.Store(k, v[1:2])
	f(1, 2, 3)
	g()
	s = append(s, t)
	s = append(u, t)
	i += 1
	i -= 1
}
"""


def texts(pattern: str) -> list[str]:
    f = SourceFile.parse("x.go", SRC)
    p = Pattern.compile(pattern)
    out = []
    for c in p.candidates(f.root):
        if p.match(c) is not None:
            out.append(f.text(c))
    return sorted(out)


def test_single_metavariable_matches_any_expression() -> None:
    assert texts("$X.Close()") == ["a.Close()", "a.b.Close()"]


def test_literal_pattern_is_exact() -> None:
    assert texts("a.Close()") == ["a.Close()"]


def test_multi_metavariable_matches_zero_or_more() -> None:
    assert texts("f($$$A)") == ["f(1, 2, 3)"]
    assert texts("g($$$A)") == ["g()"]
    assert texts("f($A, $$$REST)") == ["f(1, 2, 3)"]
    assert texts("g($A, $$$REST)") == []


def test_repeated_metavariable_must_bind_same_code() -> None:
    assert texts("$S = append($S, $V)") == ["s = append(s, t)"]
    assert texts("$X = $X") == ["x = x"]


def test_wildcard_does_not_bind() -> None:
    assert sorted(texts("$_ = append($_, $_)")) == ["s = append(s, t)", "s = append(u, t)"]


def test_operators_are_compared() -> None:
    assert texts("$I += 1") == ["i += 1"]


def test_short_var_declaration_differs_from_assignment() -> None:
    assert texts("$A := $B") == ["x := y"]


def test_slice_fields_are_compared() -> None:
    assert texts("$M.Store($K, $V[$A:$B])") == ["m.Store(k, v[1:2])"]
    assert texts("$M.Store($K, $V[:$B])") == []


def test_bindings() -> None:
    f = SourceFile.parse("x.go", SRC)
    p = Pattern.compile("$M.Store($K, $V)")
    (cand,) = [c for c in p.candidates(f.root) if p.match(c) is not None]
    env = p.match(cand)
    assert env is not None
    assert f.text(env["K"]) == "k"  # type: ignore[arg-type]
    assert f.text(env["V"]) == "v[1:2]"  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "func (", "$X", "a b c d"])
def test_unparsable_patterns_raise(bad: str) -> None:
    with pytest.raises(PatternError):
        Pattern.compile(bad)
