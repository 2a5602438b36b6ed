"""Work that grew faster than the input (reliability audit 1.9, 1.12, 2.5, 2.7, 3.6): each test is
the audit's reproduction, scaled so it takes about a second with linear code and minutes (or a
timed-out file) with the old quadratic code. Results are asserted, never times; a subprocess
timeout is only a safety net."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter.analysis.functions import FileFunctions
from linter.parsing import SourceFile

ROOT = Path(__file__).resolve().parent.parent
SAFETY = 120  # seconds; the linear code needs a second or two

# The audit's `leak`: a Go file with exactly one finding (time-after-in-loop).
LEAK = 'package p\n\nimport "time"\n\nfunc f(in chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-in:\n\t\tcase <-time.After(time.Second):\n\t\t}\n\t}\n}\n'
LOOP = "for { select { case <-in: case <-time.After(time.Second): } }"


def goplumber(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "linter", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=SAFETY)


def check_json(path: Path, *args: str) -> dict:
    p = goplumber("check", "--no-cache", "--format", "json", *args, str(path), cwd=path.parent)
    assert p.returncode in (0, 1), p.stderr
    return json.loads(p.stdout)  # type: ignore[no-any-return]


# -- 1.12: the "syntax error near line N" lookup -----------------------------------------------------


@pytest.mark.parametrize(
    "garbage",
    [
        "{" * 300_000,  # `(ERROR) @e` query: 160 k took 24 s, 1 M took 18 minutes
        "a" + "[" * 100_000,  # the slice prefilter regex rescanned the line from every `[`
    ],
    ids=["braces", "index-brackets"],
)
def test_unclosed_brackets_are_checked_and_their_syntax_error_located(tmp_path: Path, garbage: str) -> None:
    src = tmp_path / "ob"
    src.mkdir()
    (src / "a.go").write_text('package p\nimport "time"\nfunc f() ' + garbage + "\n" + LEAK.split("\n", 4)[4])
    doc = check_json(src)
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("time-after-in-loop", 8)]
    assert [e["message"] for e in doc["errors"]] == ["syntax error near line 1; checked as far as the parser recovered"]


def _earliest_error_line(f: SourceFile) -> int | None:
    """Brute force: every node of the tree, the earliest ERROR or MISSING one."""
    best, stack = None, [f.root]
    while stack:
        n = stack.pop()
        if (n.is_error or n.is_missing) and (best is None or n.start_byte < best.start_byte):
            best = n
        stack.extend(n.children)
    return None if best is None else best.start_point[0] + 1


def test_first_error_line_is_the_earliest_error_or_missing_node() -> None:
    import random

    from linter.engine import _first_error_line

    assert _first_error_line(SourceFile.parse("a.go", b"package p\n\nfunc f() {\n\tg(\n}\n\nfunc h() { ) }\n")) == 4
    seeds = sorted((ROOT / "testdata").rglob("*.go"))
    rng = random.Random(7)
    checked = 0
    while checked < 200:
        data = bytearray(rng.choice(seeds).read_bytes()[:3000])
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(data))
            if rng.random() < 0.5:
                del data[k : k + rng.randint(1, 20)]
            else:
                data[k:k] = rng.choice([b"{", b"(", b"}", b"[", b'"', b"func(", b")"])
        f = SourceFile.parse("a.go", bytes(data))
        expected = _earliest_error_line(f)
        if expected is not None:  # (an error tree-sitter made no node for has no line to compare)
            assert _first_error_line(f) == expected, bytes(data)
            checked += 1


# -- 1.9: deep nesting --------------------------------------------------------------------------------


def _deep(kind: str, depth: int) -> str:
    open_, close = {
        "closures": ("func() { ", " }()"),
        "blocks": ("{ ", " }"),
        "ifs": ("if true { ", " }"),
        "fors": ("for { ", " }"),
    }[kind]
    return LEAK + "func g(in chan int) { " + open_ * depth + LOOP + close * depth + " }\n"


@pytest.mark.parametrize("kind", ["closures", "blocks", "ifs", "fors"])
def test_ten_thousand_deep_nesting_keeps_both_findings_within_the_default_budget(tmp_path: Path, kind: str) -> None:
    src = tmp_path / "deep"
    src.mkdir()
    (src / "a.go").write_text(_deep(kind, 10_000))
    doc = check_json(src)  # the default budget: the old walks took 15 to 50 s, and lost both
    assert doc["errors"] == []
    assert [(f["rule_id"], f["line"]) for f in doc["findings"]] == [("time-after-in-loop", 9), ("time-after-in-loop", 13)]


def _nest_bodies(data: bytes, depth: int) -> bytes:
    """Every top-level function's body wrapped in `depth` blocks, on the lines it already has."""
    f = SourceFile.parse("a.go", data)
    edits = []
    for n in f.root.named_children:
        body = n.child_by_field_name("body") if n.type in ("function_declaration", "method_declaration") else None
        if body is not None:
            edits += [(body.start_byte + 1, b"{ " * depth), (body.end_byte - 1, b" }" * depth)]
    for at, text in sorted(edits, reverse=True):
        data = data[:at] + text + data[at:]
    return data


def test_guards_three_thousand_blocks_deep_are_still_followed(tmp_path: Path) -> None:
    """The taint check's guard and declaration walks (and loop-context's, lifetime's) go up
    through every enclosing block: with Node.parent this file ran out of the default budget
    (0 of 8 findings); through the file's Ancestry it gives what the flat file gives."""
    fixture = ROOT / "testdata" / "unbounded-label"
    flat, deep = tmp_path / "flat", tmp_path / "deep"
    for d, depth in ((flat, 0), (deep, 3_000)):
        d.mkdir()
        (d / "go.mod").write_bytes((fixture / "go.mod").read_bytes())
        (d / "guards.go").write_bytes(_nest_bodies((fixture / "guards.go").read_bytes(), depth))
    found = {}
    for d in (flat, deep):
        doc = check_json(d)
        assert doc["errors"] == []
        found[d.name] = [(f["line"], f["rule_id"]) for f in doc["findings"]]
    assert len(found["flat"]) == 8 and found["deep"] == found["flat"]


def test_ancestors_of_a_deep_node_cost_one_descent() -> None:
    data = _deep("closures", 2_000).encode()
    f = SourceFile.parse("a.go", data)
    at = data.rindex(b"time.After")
    node = f.root.descendant_for_byte_range(at, at + 4)
    fns = FileFunctions(f)
    outer = fns.outermost(node)
    assert outer is not None and outer.name == "g"
    inner = fns.enclosing(node)
    assert inner is not None and inner.name is None and inner.node.start_byte == data.rindex(b"func()")
    assert f.ancestry.descents == 1  # the second walk reuses the first one's path
    assert len(list(f.ancestors(node))) > 10_000


def test_ancestors_are_the_parent_chain() -> None:
    data = _deep("ifs", 40).encode() + b"func h() { x := []int{1}; _ = x[0:]; go func() { defer g(nil) }() }\n"
    f = SourceFile.parse("a.go", data)
    for offset in range(0, len(data), 7):
        node = f.root.descendant_for_byte_range(offset, offset + 1)
        native, n = [], node.parent
        while n is not None:
            native.append(n.id)
            n = n.parent
        assert [a.id for a in f.ancestors(node)] == native


# -- 2.7: output that depended on the hash seed ------------------------------------------------------

SCHEDULED = """package p

import "time"

	time.AfterFunc(time.Second, func() { rearm(in) })
func tickScheduled(in chan Msg) {
	select {
	// ruleid: time-after-in-loop
	case <-time.After(time.Minute):
}
	time.AfterFunc(time.Second, tickScheduled)
	t := time.NewTimer(d)
	time.AfterFunc(time.Second, tickScheduled)
"""


def test_messages_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    (tmp_path / "a.go").write_text(SCHEDULED)
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        p = goplumber("check", "--no-cache", "--format", "json", "a.go", cwd=tmp_path, env={"PYTHONHASHSEED": seed})
        assert p.returncode == 1, p.stderr
        outputs.add(p.stdout)
    assert len(outputs) == 1
    messages = [f["message"] for f in json.loads(outputs.pop())["findings"]]
    # the first of the two scheduling calls in the file, as the file reads (tree-sitter returned
    # the captures of this broken tree out of order, and in a different order per seed)
    assert messages and all("tickScheduled is scheduled by time.AfterFunc at line 11" in m for m in messages)


def test_query_captures_come_in_document_order() -> None:
    from linter.parsing import captures, query

    f = SourceFile.parse("a.go", SCHEDULED.encode())
    got = captures(query("(field_identifier) @f"), f.root)["f"]
    assert [n.start_byte for n in got] == sorted(n.start_byte for n in got)
    assert [f.text(n) for n in got if f.text(n) == "AfterFunc"] == ["AfterFunc"] * 3


# -- 2.5: cold and warm runs ----------------------------------------------------------------------------


def test_cold_and_warm_cache_runs_print_the_same_json(tmp_path: Path) -> None:
    src = tmp_path / "s"
    src.mkdir()
    (src / "a.go").write_text(LEAK)
    (src / "b.go").write_text("package p\n\nfunc g() int { return 1 }\n")  # no rule can match: not parsed
    (src / "c.go").write_text("// Code generated by x. DO NOT EDIT.\n\npackage p\n")

    def run() -> str:
        p = goplumber("check", "--cache-dir", "c", "--format", "json", "s", cwd=tmp_path)
        assert p.returncode == 1, p.stderr
        return p.stdout

    cold, warm = run(), run()
    assert json.loads(cold)["stats"] == {"files": 3, "parsed": 1, "lines": 15, "skipped_generated": 1, "findings": 1}
    assert warm == cold
    # an entry stored before `parsed` was kept in it is computed again, not reported as 0 parsed
    (entry,) = (tmp_path / "c").rglob("*.json")
    doc = json.loads(entry.read_text())
    del doc["stats"]["parsed"]
    entry.write_text(json.dumps(doc))
    assert run() == cold


# -- 3.6: large rule files ----------------------------------------------------------------------------


def test_a_rule_with_thousands_of_alternatives_is_prepared_in_linear_time(tmp_path: Path) -> None:
    n = 5_000  # the quadratic prefilter took 14 s for 4 k, 190 s for 16 k
    (tmp_path / "rules").mkdir()
    lines = ["id: huge-any", "severity: info", "message: m", "rule:", "  any:"]
    lines += [f"    - pattern: someFunction{i}($X)" for i in range(n)]
    (tmp_path / "rules" / "r.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.go").write_text(f"package p\n\nfunc f() {{ g() }}\n\nfunc h(x int) {{ someFunction{n - 1}(x) }}\n")
    (tmp_path / "src" / "b.go").write_text("package p\n\nfunc k() { someFunction(1) }\n")  # prefix only: filtered out
    # the prefilter is computed inside the first file's budget: 0.1 s of CPU now, 20 s before
    args = ("check", "--no-cache", "--format", "json", "--timeout-per-file", "2", "--rules", "rules", "--no-builtin-rules", "src")
    doc = json.loads(goplumber(*args, cwd=tmp_path).stdout)
    assert doc["errors"] == []
    assert [(f["path"], f["line"], f["rule_id"]) for f in doc["findings"]] == [("src/a.go", 5, "huge-any")]
    assert doc["stats"]["parsed"] == 1


def test_capped_prefilter_passes_the_same_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past PRUNE_WORK the prefilter keeps implied alternatives and ungrouped ones: the same
    files pass, only with more scans."""
    from linter import prefilter
    from linter.loader import load_rules

    rules = load_rules([])
    sources = [p.read_bytes() for p in sorted((ROOT / "testdata").rglob("*.go"))]
    sources += [b"package p\n", b"package p\n\nfunc f() { time.After(d); x.Watch(ctx, k) }\n"]

    def verdicts() -> list[list[bool]]:
        for r in rules:
            r.prefilter_cache = None
        return [[prefilter.may_match(r, data) for r in rules] for data in sources]

    full = verdicts()
    monkeypatch.setattr(prefilter, "PRUNE_WORK", -1)
    assert verdicts() == full
    assert any(any(row) for row in full) and not all(all(row) for row in full)


def test_big_regex_rule_gives_the_same_result_cold_and_warm(tmp_path: Path) -> None:
    """The regex is compiled when the rule is built on every run; the rule cache (warm) holds no
    uncompiled regex to be compiled inside the first file's budget."""
    from linter.lazyregex import LazyRegex
    from linter.loader import load_rules

    (tmp_path / "rules").mkdir()
    names = "|".join(f"name{i}" for i in range(10_000))
    (tmp_path / "rules" / "r.yaml").write_text(
        f"id: huge-regex\nseverity: info\nmessage: m\nrule:\n  kind: identifier\n  regex: '^({names})$'\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.go").write_text("package p\n\nfunc f() { name7() }\n")
    env = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    args = ("check", "--no-cache", "--format", "json", "--timeout-per-file", "0.5", "--rules", "rules", "--no-builtin-rules", "src")
    cold = goplumber(*args, cwd=tmp_path, env=env)
    warm = goplumber(*args, cwd=tmp_path, env=env)
    assert cold.stdout == warm.stdout
    doc = json.loads(cold.stdout)
    assert doc["errors"] == [] and [f["line"] for f in doc["findings"]] == [3]
    import pickle

    rx = pickle.loads(pickle.dumps(LazyRegex("^a+$")))
    assert rx._compiled is not None  # compiled where a fresh one is: at load, not on first use
    assert load_rules([str(tmp_path / "rules")], include_bundled=False)[0].matcher.regex._compiled is not None  # type: ignore[union-attr]
