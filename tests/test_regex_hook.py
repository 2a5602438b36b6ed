"""A `regex` rule node is a declaration hook only when its hits do not depend on where the text
starts or ends (so a hit in a node's text is a hit in its declaration's text)."""

from linter.ruletree import _position_free


def test_unanchored_regexes_are_hooks() -> None:
    assert _position_free(r"[.*]\w+ = \*?[\w.]+\[(?:[^\]\n]*-\s*1\]|[^:\]\n]+:\])")
    assert _position_free(r"a\$b")  # an escaped dollar is a character
    assert _position_free(r"x[$^]")  # so is one in a class


def test_anchored_regexes_are_not() -> None:
    for p in (r"^x", r"x$", r"\Ax", r"x\Z", r"\bword\b", r"(?<!\.)name", r"(?i)^(req|r)$"):
        assert not _position_free(p), p
