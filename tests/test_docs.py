"""The README and docs/rules.md stay true: their rule examples load, their output is real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from linter.loader import load_rule_file

ROOT = Path(__file__).resolve().parent.parent


def yaml_blocks(path: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", path.read_text(), re.S)


@pytest.mark.parametrize("doc", ["README.md", "docs/rules.md"])
def test_full_rule_examples_load(doc: str, tmp_path: Path) -> None:
    full = [b for b in yaml_blocks(ROOT / doc) if b.startswith("id:")]
    assert full, f"{doc} has no complete rule example"
    for i, block in enumerate(full):
        f = tmp_path / f"example{i}.yaml"
        f.write_text(block.replace("  ...\n", "  {}\n"))
        (rule, _line), *rest = load_rule_file(f)
        assert rule.id and not rest


def test_readme_output_is_real(run_cli) -> None:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```\n\$ goplumber check examples/leaky\n(.*?)```", text, re.S)
    assert block
    code, out, _ = run_cli("check", "examples/leaky")
    assert code == 1
    strip = re.compile(r"\(\d+\.\d+s\)")
    assert strip.sub("", out).strip() == strip.sub("", block.group(1)).strip()


def test_every_rule_is_documented_in_readme() -> None:
    text = (ROOT / "README.md").read_text()
    for f in (ROOT / "rules").glob("*.yaml"):
        assert f"`{f.stem}`" in text
