"""Output formats, one module each: `FORMATTERS[name](result, rules) -> str`."""

from __future__ import annotations

from collections.abc import Callable

from linter.engine import Result
from linter.formatter import github, json_format, junit, sarif, text
from linter.model import Rule

FORMATTERS: dict[str, Callable[[Result, list[Rule]], str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}
