"""Plain data classes shared by the loader, the engine and the reporters."""

from __future__ import annotations

import functools
import re
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
    paths_cache: Any = field(default=None, repr=False, compare=False)  # compiled `paths` globs
    declaration_cache: Any = field(default=None, repr=False, compare=False)  # computed by the engine
    candidate_cache: Any = field(default=None, repr=False, compare=False)  # computed by the engine

    def applies_to(self, path: str) -> bool:
        """`paths: {include, exclude}` globs, matched against the path and its base name."""

        if self.paths_cache is None:
            self.paths_cache = (
                _globs(self.metadata.get("paths", {}).get("include")),
                _globs(self.metadata.get("paths", {}).get("exclude")),
            )
        include, exclude = self.paths_cache
        if include is None and exclude is None:
            return True
        forms = _path_forms(path)
        if include is not None and not any(include.match(p) for p in forms):
            return False
        return exclude is None or not any(exclude.match(p) for p in forms)

    @property
    def summary(self) -> str:
        first = self.description.strip().splitlines()
        return first[0] if first else self.message


@functools.lru_cache(maxsize=65536)
def _path_forms(path: str) -> tuple[str, ...]:
    """Globs see the path inside its module (`internal/x/y.go`), so `*/tests/*` means a tests
    directory of the project, not one that happens to hold the checkout; a relative path as given
    and the base name are tried too. Computed once per path, shared by every rule."""
    import os

    from linter.goversion import module_root

    root = module_root(os.path.dirname(path) or ".")
    forms = [os.path.normcase(os.path.relpath(os.path.abspath(path), root))] if root else []
    if not os.path.isabs(path) or not forms:
        forms.append(os.path.normcase(path))
    forms.append(os.path.basename(forms[-1]))
    return tuple(forms)


def _globs(globs: list[str] | None) -> re.Pattern[str] | None:
    """One regex for a list of globs (fnmatch semantics, compiled once per rule)."""
    import fnmatch
    import os

    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(os.path.normcase(g))})" for g in globs))
