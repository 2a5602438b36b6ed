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
    # the edits that make it go away (linter.fix.model.Fix), when the rule's `fix:` strategy has one
    fix: Any = field(default=None, compare=False)

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


# What kept a file from being checked fully, by kind. The INCOMPLETE kinds mean goplumber could
# not look at Go code it should have looked at: `check` then exits 3 (analysis incomplete), a
# gate cannot trust a clean result. The other kinds are notes about files that are not Go source
# the go tool would build, so nothing they contain can ship: a binary file (NUL bytes; the Go
# compiler rejects NUL), a syntax error (still checked as far as the parser recovered), a FIFO,
# device or broken symbolic link (never opened: reading could block or never end); and files
# skipped on purpose ("excluded"): a named file in vendor/ or testdata/, a generated file, one
# the config excludes, a symbolic link out of the checked tree.
INCOMPLETE_KINDS = frozenset({"unreadable", "too-large", "timeout", "internal"})
NOTE_KINDS = frozenset({"binary", "syntax", "not-regular", "excluded"})
ERROR_KINDS = INCOMPLETE_KINDS | NOTE_KINDS

_KIND_FROM_MESSAGE = (  # for errors made without a kind (older cache entries, other callers)
    ("binary file", "binary"),
    ("syntax error", "syntax"),
    ("not a regular file", "not-regular"),
    ("broken symbolic link", "not-regular"),
    ("--no-default-excludes", "excluded"),
    ("excluded by", "excluded"),
    ("outside the checked tree", "excluded"),
    ("cannot read", "unreadable"),
    ("no such file", "unreadable"),
    ("is a directory", "unreadable"),
    ("bytes (limit", "too-large"),
    ("took longer", "timeout"),
    ("timeout", "timeout"),
    ("budget", "timeout"),
)


def error_kind(message: str) -> str:
    """The kind of a FileError made without one. Fails closed: a message not known to be a
    note is an internal error, so a new way of skipping a file cannot turn a gate green."""
    low = message.lower()
    for needle, kind in _KIND_FROM_MESSAGE:
        if needle in low:
            return kind
    return "internal"


@dataclass(frozen=True, order=True)
class FileError:
    """Something that kept a file from being checked fully; reported, never raised. `kind` is
    one of ERROR_KINDS (derived from the message when not given); `incomplete` says whether it
    makes the analysis incomplete (exit 3): every kind but the NOTE_KINDS does."""

    path: str
    message: str
    kind: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", error_kind(self.message))

    @property
    def incomplete(self) -> bool:
        return self.kind not in NOTE_KINDS

    def to_json(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message, "kind": self.kind}


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
    fix: Any = None  # linter.fix.strategy.Strategy, configured from the rule's `fix:` section
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

    from linter.roots import module_root

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
