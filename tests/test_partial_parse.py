"""Declaration-by-declaration parsing: a file whose active rules only look inside one top-level
declaration is parsed in pieces. It must give exactly what parsing the whole file gives."""

from __future__ import annotations

from pathlib import Path

import pytest

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
