"""Output formats, one module each; `FORMATTERS[name](result) -> str`."""

from __future__ import annotations

from collections.abc import Callable

from linter.engine import Result
from linter.formatter import json_format, text

FORMATTERS: dict[str, Callable[[Result], str]] = {
    "text": text.render,
    "json": json_format.render,
}
