"""Fix strategies and their registry.

A strategy is a class with a `name` (what a rule's `fix: {strategy: NAME}` says), a JSON
`schema` for its parameters (validated when the rule loads, errors at file:line like a `check:`
section), the `facts` it needs, and `propose(ctx) -> Fix | None`. Register one with
`@register`; `STRATEGIES` maps names to classes.

Facts are what the check that produced the finding already worked out (the receiving variable,
the error check after an acquisition, whether the value escapes): the check records them once in
its `Verdict(facts={...})` and every strategy reads them from `FixContext.facts`, the way an
x/tools analyzer reads another's result, instead of walking the tree again. A strategy may also
ask the file's Pass for a shared analysis (`ctx.pass_.result_of(...)`), computed once per file.
A rule whose checks do not record the facts its strategy needs is rejected when it loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import tree_sitter

from linter import quickschema
from linter.fix.model import Edit, Fix, line_starts_of

Node = tree_sitter.Node


class FixConfigError(ValueError):
    def __init__(self, message: str, key_path: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key_path = key_path


@dataclass
class FixContext:
    """What a strategy receives for one finding."""

    file: Any  # linter.parsing.SourceFile: path, data (bytes), tree, text(node)
    pass_: Any  # linter.analysis.framework.Pass: shared analyses of the file and its package
    node: Node  # the reported node
    match: Node  # the candidate the rule matched
    env: Mapping[str, object]  # the rule's metavariables
    facts: Mapping[str, Any]  # what the rule's checks recorded (see linter.fix.facts)
    rule_id: str

    @property
    def data(self) -> bytes:
        return self.file.data  # type: ignore[no-any-return]

    def edit(self, start: int, end: int, text: str) -> Edit:
        starts = self.file.line_starts() if hasattr(self.file, "line_starts") else line_starts_of(self.data)
        return Edit.at(self.data, start, end, text, starts)

    def newline_at(self, offset: int) -> str:
        """The line ending of the line holding `offset` ("\\r\\n" in a CRLF file), so an inserted
        line keeps the file's convention."""
        end = self.data.find(b"\n", offset)
        if end > 0 and self.data[end - 1 : end] == b"\r":
            return "\r\n"
        if end == -1:  # the last line: the previous line's ending
            prev = self.data.rfind(b"\n", 0, offset)
            return "\r\n" if prev > 0 and self.data[prev - 1 : prev] == b"\r" else "\n"
        return "\n"

    def indentation_of(self, node: Node) -> str | None:
        """The leading whitespace of the line `node` starts on, when only whitespace precedes
        the node on that line (else None: the node is not the first thing on its line)."""
        line_start = self.data.rfind(b"\n", 0, node.start_byte) + 1
        lead = self.data[line_start : node.start_byte]
        if line_start == 0 and lead.startswith(b"\xef\xbb\xbf"):
            lead = lead[3:]
        if lead.strip(b" \t"):
            return None
        return lead.decode("ascii")

    def after_line_of(self, offset: int) -> int | None:
        """The offset of the start of the line after the one holding `offset`, when the rest of
        that line is blank or a `//` comment (so a whole line can be inserted there without
        moving code or a comment); None otherwise."""
        end = self.data.find(b"\n", offset)
        if end == -1:
            return None
        rest = self.data[offset:end].rstrip(b"\r").strip(b" \t")
        if rest and not rest.startswith(b"//"):
            return None
        return end + 1

    def insert_line_after(self, node: Node, indent: str, code: str) -> Edit | None:
        """An edit inserting `indent + code` as a new line right after the line where `node`
        ends, with the file's line ending; None when code or a block comment follows the node
        on its line."""
        at = self.after_line_of(node.end_byte)
        if at is None:
            return None
        return self.edit(at, at, indent + code + self.newline_at(node.end_byte))


class Strategy:
    name: ClassVar[str]
    doc: ClassVar[str] = ""
    schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False, "properties": {}}
    facts: ClassVar[tuple[str, ...]] = ()  # fact names a check of the rule must record

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params

    @classmethod
    def configure(cls, params: Any) -> Strategy:
        if quickschema.valid(params, cls.schema):
            return cls(params)
        import jsonschema

        errors = sorted(jsonschema.Draft7Validator(cls.schema).iter_errors(params), key=lambda e: len(e.absolute_path))
        if errors:
            e = errors[0]
            where = ".".join(map(str, e.absolute_path))
            if e.validator == "additionalProperties":
                extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
                if extra:
                    raise FixConfigError(f"unknown parameter {extra[0]!r}", [*e.absolute_path, extra[0]])
            raise FixConfigError(f"{where + ': ' if where else ''}{e.message}", list(e.absolute_path))
        return cls(params)

    def propose(self, ctx: FixContext) -> Fix | None:
        raise NotImplementedError

    def fix(self, description: str, *edits: Edit | None) -> Fix | None:
        """A Fix of these edits, or None if one of them could not be made."""
        if not edits or any(e is None for e in edits):
            return None
        return Fix(description, tuple(e for e in edits if e is not None), self.name)


STRATEGIES: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    """Class decorator: make a strategy available to rules' `fix: {strategy: NAME}`."""
    if not getattr(cls, "name", ""):
        raise ValueError(f"{cls.__name__} has no name")
    if cls.name in STRATEGIES and STRATEGIES[cls.name] is not cls:
        raise ValueError(f"fix strategy {cls.name!r} registered twice")
    STRATEGIES[cls.name] = cls
    return cls
