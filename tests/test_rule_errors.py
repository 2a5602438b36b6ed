"""Malformed rule files: one line `file:line: message` on stderr, exit 2, nothing on stdout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GOOD = """id: my-rule
severity: error
message: "found $X"
rule:
  pattern: $X.Close()
"""

CASES = {
    "yaml-syntax": ("id: x\nmessage: [unclosed\n", 2, "YAML syntax error"),
    "empty-file": ("", 1, "rule file is empty"),
    "not-a-mapping": ("- a\n- b\n", 1, "must hold a mapping"),
    "unknown-top-key": (GOOD + "colour: red\n", 6, "unknown key 'colour'"),
    "bad-severity": (GOOD.replace("severity: error", "severity: fatal"), 2, "severity"),
    "bad-id": (GOOD.replace("id: my-rule", "id: My_Rule"), 1, "id"),
    "missing-rule": ("id: a\nseverity: error\nmessage: m\n", 1, "'rule' is a required property"),
    "message-type": (GOOD.replace('message: "found $X"', "message: [1]"), 3, "message"),
    "bad-regex": (GOOD + "constraints:\n  X: { regex: '(' }\n", 7, "invalid regex"),
    "unparsable-pattern": (GOOD.replace("$X.Close()", "func ((("), 5, "cannot parse pattern"),
    "unknown-message-var": (GOOD.replace("found $X", "found $Y"), 3, "message uses $Y"),
    "unknown-rule-key": (GOOD + "  patern: x\n", 6, "unknown rule key 'patern'"),
    "unknown-kind": ("id: a\nseverity: error\nmessage: m\nrule:\n  kind: no_such_node\n", 5, "unknown node kind"),
    "no-anchor": ("id: a\nseverity: error\nmessage: m\nrule:\n  regex: foo\n", 4, "needs a `pattern` or `kind`"),
    "bad-stopby": (GOOD + "  inside:\n    kind: for_statement\n    stopBy: forever\n", 8, "`stopBy` must be"),
    "empty-any": ("id: a\nseverity: error\nmessage: m\nrule:\n  any: []\n", 5, "non-empty list"),
    "unknown-check": (GOOD + "check:\n  magic: {}\n", 7, "unknown check 'magic'"),
    "unknown-check-param": (GOOD + "check:\n  loop-context:\n    sometimes: true\n", 8, "unknown parameter 'sometimes'"),
    "check-param-type": (GOOD + "check:\n  loop-context:\n    interprocedural: 3\n", 8, "is not of type 'boolean'"),
    "check-unbound-metavar": (GOOD + "check:\n  taint:\n    into: $NOPE\n    sources: [x]\n", 8, "$NOPE is not bound"),
    "constraint-unbound": (GOOD + "constraints:\n  Z: { regex: a }\n", 7, "constraint on $Z"),
    "undefined-util": (GOOD + "  matches: helper\n", 6, "names no rule under `utils`"),
    "cyclic-utils": (
        GOOD + "  matches: a\nutils:\n  a: { matches: b }\n  b: { matches: a }\n",
        8,
        "cyclic `matches`",
    ),
    "bad-go-version": (GOOD + "go-version:\n  applies: 'soon'\n", 7, "go-version.applies"),
    "go-version-unknown-key": (GOOD + "go-version:\n  applies: '<1.23'\n  when: x\n", 8, "unknown key 'when'"),
    "duplicate-yaml-key": (GOOD + "id: again\n", 6, "duplicate key"),
    "not-utf8": (b"id: \xff\xfe\n", 1, "not UTF-8"),
    "lifetime-bad-held-by": (
        GOOD + "check:\n  lifetime:\n    resources:\n      - callee: x\n        release: [Close]\n"
        "        held-by: [{type: '(', field: T}]\n",
        11,
        "resources[0].held-by[0].type: invalid regex",
    ),
    "lifetime-bad-unless-set": (
        GOOD + "check:\n  lifetime:\n    resources:\n      - callee: x\n        release: [Close]\n"
        "        unless-set:\n          DisableKeepAlives: '['\n",
        12,
        "resources[0].unless-set.DisableKeepAlives: invalid regex",
    ),
    "python-tag": (GOOD + "note: !!python/object/apply:os.system ['echo pwned']\n", 6, "YAML"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_rule(name: str, tmp_path: Path, run_cli) -> None:
    text, line, fragment = CASES[name]
    rule = tmp_path / "bad.yaml"
    rule.write_bytes(text if isinstance(text, bytes) else text.encode())
    (tmp_path / "a.go").write_text("package a\n")
    code, out, err = run_cli("check", "--no-builtin-rules", "--rules", str(rule), str(tmp_path / "a.go"))
    assert code == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    m = re.match(r"^(.*bad\.yaml):(\d+): (.+)$", lines[0])
    assert m, lines[0]
    assert int(m.group(2)) == line, lines[0]
    assert fragment in m.group(3), lines[0]


def test_duplicate_ids_across_files(tmp_path: Path, run_cli) -> None:
    (tmp_path / "one.yaml").write_text(GOOD)
    (tmp_path / "two.yaml").write_text(GOOD)
    code, out, err = run_cli("rules", "--rules", str(tmp_path))
    assert code == 2
    assert re.match(r"^.*two\.yaml:1: duplicate rule id 'my-rule' \(first defined in .*one\.yaml\)$", err.strip())


def test_valid_user_rule_runs(tmp_path: Path, run_cli) -> None:
    (tmp_path / "r.yaml").write_text(GOOD)
    (tmp_path / "a.go").write_text("package a\n\nfunc f(c interface{ Close() }) {\n\tc.Close()\n}\n")
    code, out, err = run_cli("check", "--no-builtin-rules", "--rules", str(tmp_path / "r.yaml"), str(tmp_path / "a.go"))
    assert code == 1, err
    assert "a.go:4:2: error: found c [my-rule]" in out


def test_compiled_rule_cache_follows_rule_edits(tmp_path: Path) -> None:
    from linter.loader import load_rules

    f = tmp_path / "r.yaml"
    f.write_text(GOOD)
    assert [r.message for r in load_rules([str(f)], include_bundled=False)] == ["found $X"]
    assert [r.message for r in load_rules([str(f)], include_bundled=False)] == ["found $X"]  # from the cache
    f.write_text(GOOD.replace("found $X", "still $X"))
    assert [r.message for r in load_rules([str(f)], include_bundled=False)] == ["still $X"]
