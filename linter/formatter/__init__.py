"""Output formats, one module each with `render(result, rules) -> str`, imported only when
used (the junit writer pulls in xml.etree, which a pre-commit run printing text never needs).
Every format shows paths and messages in one escaped display form (`escape.printable`)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.engine import Result
    from linter.formatter.text import TextStyle
    from linter.model import FileError, Rule

MODULES = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "code-climate": "code_climate",
    "checkstyle": "checkstyle",
}
FORMATS = list(MODULES)


def incomplete(error: FileError) -> bool:
    """Whether a file error leaves the analysis incomplete (unreadable, too large, timed out,
    internal error: exit 3), rather than a note about a file the go tool would not build
    either (binary, syntax error, not a regular file). Formats list both; they mark only the
    first as a failure of the run."""
    return error.incomplete


def render(name: str, result: Result, rules: list[Rule], style: TextStyle | None = None) -> str:
    """`style` (colour, source excerpts) applies to text only."""
    module = importlib.import_module(f"linter.formatter.{MODULES[name]}")
    if name == "text" and style is not None:
        return module.render(result, rules, style)  # type: ignore[no-any-return]
    return module.render(result, rules)  # type: ignore[no-any-return]
