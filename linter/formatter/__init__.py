"""Output formats, one module each with `render(result, rules) -> str`, imported only when
used (the junit writer pulls in xml.etree, which a pre-commit run printing text never needs)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.engine import Result
    from linter.model import Rule

MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "github": "github", "junit": "junit"}


def render(name: str, result: Result, rules: list[Rule]) -> str:
    module = importlib.import_module(f"linter.formatter.{MODULES[name]}")
    return module.render(result, rules)  # type: ignore[no-any-return]
