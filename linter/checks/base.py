"""Base of the named semantic checks: generic Python, parameterised by a rule's YAML `check:` section.

A check runs after the rule tree matched a node. It returns None to drop the match, or a
`Verdict` that may add message variables (`$WHEN`, `$LOOP`, `$SOURCE`), change the severity or
move the reported location. Checks get everything through the `Pass`, and ask it for shared
analyses (`pass_.result_of(FUNCTIONS)`), so facts are computed once per file or package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

import tree_sitter

from linter import quickschema
from linter.analysis.framework import Pass
from linter.lazyregex import LazyRegex
from linter.patterns import Env
from linter.ruletree import RuleNode, compile_rule

Node = tree_sitter.Node


class CheckConfigError(ValueError):
    def __init__(self, message: str, key_path: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.key_path = key_path


@dataclass
class Verdict:
    vars: dict[str, str] = field(default_factory=dict)
    severity: str | None = None
    node: Node | None = None
    # what a fix strategy needs, worked out by the check (linter.fix.facts): recorded once here,
    # read by the rule's `fix:` strategy instead of redoing the check's data flow
    facts: dict[str, Any] = field(default_factory=dict)


class Check:
    name: ClassVar[str]
    provides: ClassVar[tuple[str, ...]] = ()
    records: ClassVar[tuple[str, ...]] = ()  # names of the facts its verdicts carry (linter.fix.facts)
    schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def __init__(self, params: dict[str, Any], metavars: set[str], utils: dict[str, RuleNode]) -> None:
        self.params = params
        self.metavars = metavars
        self.utils = utils

    @classmethod
    def configure(cls, params: Any, metavars: set[str], utils: dict[str, RuleNode]) -> Check:
        if quickschema.valid(params, cls.schema):  # jsonschema only to word an error: its import is slow
            return cls(params, metavars, utils)
        import jsonschema

        errors = sorted(jsonschema.Draft7Validator(cls.schema).iter_errors(params), key=lambda e: len(e.absolute_path))
        if errors:
            e = errors[0]
            where = ".".join(map(str, e.absolute_path))
            msg = e.message
            if e.validator == "additionalProperties":
                extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
                msg = f"unknown parameter {extra[0]!r}" if extra else msg
                path = [*e.absolute_path, extra[0]] if extra else list(e.absolute_path)
                raise CheckConfigError(msg, path)
            raise CheckConfigError(f"{where + ': ' if where else ''}{msg}", list(e.absolute_path))
        return cls(params, metavars, utils)

    # helpers for subclasses ---------------------------------------------------------------
    def metavar(self, key: str, default: str | None = None) -> str | None:
        value = self.params.get(key, default)
        if value is None:
            return None
        name = str(value).lstrip("$")
        if name not in self.metavars:
            raise CheckConfigError(f"{key}: ${name} is not bound by the rule's patterns", [key])
        return name

    def regexes(self, key: str, default: list[str] | None = None) -> list[LazyRegex[str]]:
        out = []
        for i, r in enumerate(self.params.get(key, default or [])):
            try:
                out.append(LazyRegex(r))
            except re.error as e:
                raise CheckConfigError(f"{key}[{i}]: invalid regex {r!r}: {e}", [key, i]) from None
        return out

    def rules(self, key: str, default: list[Any] | None = None) -> list[RuleNode]:
        """A list of rule trees; a bare string is shorthand for `{pattern: ...}`."""
        out = []
        for item in self.params.get(key, default or []):
            out.append(compile_rule({"pattern": item} if isinstance(item, str) else item, self.utils, self.params.get(key)))
        return out

    # "declaration": the verdict depends only on the candidate's top-level declaration and the
    # package's source text, so a file can be parsed declaration by declaration for it.
    scope = "package"

    def declaration_filter(self) -> re.Pattern[bytes] | None:
        """For declaration-scoped checks: what a declaration's text must contain to matter."""
        return None

    def candidate_text(self) -> list[list[str]] | None:
        """Alternatives of literal text (all of one list) that the text of every candidate this
        check accepts contains, provided the rule binds nothing outside the candidate: the
        engine then finds candidates around those places of the file instead of taking every
        node of the pattern's kind. None: no such promise."""
        return None

    def quick_reject(self, node: Node, pass_: Pass) -> bool:
        """A cheap test on a candidate before the rule's patterns are matched: True when this
        check can only say no. The default never rejects."""
        return False

    def run(self, node: Node, env: Env, pass_: Pass) -> Verdict | None:
        raise NotImplementedError


STRING_LIST = {"type": "array", "items": {"type": "string"}}
RULE_LIST = {"type": "array", "items": {"type": ["string", "object"]}}
