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


SHAPES = b"""package p
var tbl = map[string]int{"a": 1}
func g(b []byte, m map[string][]byte) (int, error) {
	x := b[1:4]
	y, z := b[:2], b[2:]
	m[string(b[:1])] = b[1:]
	(m)["k"] = x
	m["a"], m["b"] = y, z
	use(x[1:], T{f(b[2:])}, []any{h(b[1:])})
	go func() { use(b[3:]) }()
	for { break }
	for i := 0; i < 3; i++ { i = i + 1 }
	return len(x) + 1, nil
}
"""

SKELETON_PATTERNS = [
    "$M[$K] = $V",
    "$CTOR($$$ARGS)",
    "for { $$$ }",
    "go func() { $$$ }()",
    "$A + 1",
    "for $K, $V := range $X { $$$ }",
    "if $E != nil { $$$ }",
    "return $X, nil",
    "$X := $Y[$A:$B]",
    "$X = $Y",
    "$F($X[$A:])",
    "var $X = $Y",
]


@pytest.mark.parametrize("code", SKELETON_PATTERNS)
def test_skeleton_query_never_drops_a_match(code: str) -> None:
    """A pattern with no literal name gets its candidates from its shape as a query; on every Go
    fixture of the repository it must find exactly what trying every node of the kind finds."""
    import pathlib

    import tree_sitter

    from linter.parsing import query

    p = Pattern.compile(code)
    assert p.skeleton is not None and p.anchor_text is None
    root_dir = pathlib.Path(__file__).resolve().parent.parent
    files = sorted((root_dir / "testdata").rglob("*.go")) + sorted((root_dir / "examples").rglob("*.go"))
    sources = [(str(path), path.read_bytes()) for path in files] + [("shapes.go", SHAPES)]
    total = 0
    for path, data in sources:
        f = SourceFile.parse(path, data)
        every = tree_sitter.QueryCursor(query(f"({p.root.kind}) @n")).captures(f.root).get("n", [])
        expected = {(n.start_byte, n.end_byte) for n in every if p.match(n) is not None}
        got = {(n.start_byte, n.end_byte) for n in p.candidates(f.root) if p.match(n) is not None}
        assert got == expected, path
        total += len(expected)
    assert total > 0  # the fixtures exercise the pattern at all


def test_skeleton_keeps_structure_and_leaves_metavariables_open() -> None:
    assert (
        Pattern.compile("$M[$K] = $V").skeleton
        == "(assignment_statement left: (expression_list (index_expression)) right: (expression_list))"
    )
    assert Pattern.compile("$X.Close()").skeleton is None  # a literal name anchors it instead


@pytest.mark.parametrize("code", [*SKELETON_PATTERNS, "$X.Close()", "time.After($D)", "$M.Store($K, $V)", "$S = append($S, $$$V)"])
def test_index_from_bytes_finds_what_the_tree_walk_finds(code: str) -> None:
    """The candidate index looks literal names and operator tokens up from the file's bytes
    when it can; what the patterns then match must be exactly what a walk of the tree gives."""
    import pathlib

    from linter.patterns import CandidateIndex

    p = Pattern.compile(code)
    keys = frozenset({p.anchor_key})
    root_dir = pathlib.Path(__file__).resolve().parent.parent
    sources = [(str(path), path.read_bytes()) for path in sorted((root_dir / "testdata").rglob("*.go"))] + [("shapes.go", SHAPES)]
    total = 0
    for path, data in sources:
        f = SourceFile.parse(path, data)
        walked = {(n.start_byte, n.end_byte) for n in p.candidates(f.root, CandidateIndex(f.root, keys)) if p.match(n) is not None}
        looked_up = {(n.start_byte, n.end_byte) for n in p.candidates(f.root, CandidateIndex(f.root, keys, data)) if p.match(n) is not None}
        assert looked_up == walked, path
        total += len(walked)
    assert total > 0


def test_text_hook_of_an_index_assignment() -> None:
    """`$M[$K] = $V` has no literal name, but every match shows `]` then `=` in its text."""
    import re

    hook = Pattern.compile("$M[$K] = $V").text_hook()
    assert hook is not None
    rx = re.compile(hook)
    assert rx.search(b"m[k] = v") and rx.search(b"cache[string(b[:4])]\t= x")
    assert not rx.search(b"if m[k] == v {") and not rx.search(b"m[k] += 1")
    assert Pattern.compile("$X = $Y").text_hook() is None  # nothing to say: every assignment
    assert Pattern.compile("$M.Store($K, $V)").text_hook() is None  # has a literal name instead


def test_candidates_around_check_text_give_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """unclosed-client's `$CTOR($$$ARGS)` is every call; its check keeps only calls whose callee
    matches a resource, so candidates are taken around those names in the text instead. The
    findings must be those of taking every call."""
    import pathlib

    from linter import engine
    from linter.engine import Options, check_paths, prepare_rules
    from linter.prefilter import candidate_needles

    rules = prepare_rules(Options())
    assert candidate_needles(next(r for r in rules if r.id == "unclosed-client")) is not None
    root_dir = pathlib.Path(__file__).resolve().parent.parent
    paths = [str(root_dir / "testdata"), str(root_dir / "examples")]

    def findings() -> list[tuple[str, int, str, str]]:
        return [(f.path, f.line, f.rule_id, f.message) for f in check_paths(paths, rules, Options()).findings]

    around = findings()
    monkeypatch.setattr(engine, "candidate_needles", lambda rule: None)
    every = findings()
    assert around == every
    assert any(rule == "unclosed-client" for _, _, rule, _ in around)
