"""Plain data classes shared by the loader, the engine and the reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    rule_id: str
    severity: str
    message: str
    snippet: str = field(default="", compare=False)  # the matched code, whitespace-normalised
    fingerprint: str = field(default="", compare=False)
    # lines of the whole statement holding the finding (diff-aware runs count a change anywhere in it)
    stmt_lines: tuple[int, int] = field(default=(0, 0), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "fingerprint": self.fingerprint,
        }


@dataclass(frozen=True, order=True)
class FileError:
    """Something that kept a file from being checked fully; reported, never raised."""

    path: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


@dataclass
class Rule:
    """A loaded, validated rule. `matcher` and `checks` are compiled from the YAML rule tree."""

    id: str
    message: str
    severity: str
    description: str
    source: str  # file the rule came from, for error messages
    matcher: Any  # linter.ruletree.RuleNode
    checks: list[Any] = field(default_factory=list)  # linter.checks.Check instances
    go_version: Any = None  # linter.goversion.VersionCondition | None
    metadata: dict[str, Any] = field(default_factory=dict)
    check_params: dict[str, Any] = field(default_factory=dict)  # as written, for config overrides
    bound: set[str] = field(default_factory=set)  # metavariables the rule binds
    utils: dict[str, Any] = field(default_factory=dict)
    prefilter_cache: Any = field(default=None, repr=False, compare=False)  # computed by the engine

    def applies_to(self, path: str) -> bool:
        """`paths: {include, exclude}` globs, matched against the path and its base name."""
        import fnmatch
        import os

        paths = self.metadata.get("paths") or {}
        name = os.path.basename(path)

        def hit(globs: list[str]) -> bool:
            return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(name, g) for g in globs)

        if paths.get("include") and not hit(paths["include"]):
            return False
        return not hit(paths.get("exclude", []))

    @property
    def summary(self) -> str:
        first = self.description.strip().splitlines()
        return first[0] if first else self.message
