"""Go language versions: the `go` directive of the nearest go.mod, and rule conditions such as
`<1.23` (Go 1.23 changed timer garbage collection, so some leaks stop being leaks)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from linter.roots import module_root
from linter.safeio import read_head

_GO_DIRECTIVE = re.compile(rb"^\s*go\s+(\d+)\.(\d+)", re.MULTILINE)
_COND = re.compile(r"^\s*(<=|>=|<|>|==|=)?\s*(\d+)\.(\d+)\s*$")

GoVersion = tuple[int, int]


def parse_version(text: str) -> GoVersion:
    m = re.fullmatch(r"\s*(?:go)?(\d+)\.(\d+)(?:\.\d+)?\s*", text)
    if not m:
        raise ValueError(f"not a Go version: {text!r} (expected e.g. 1.22)")
    return int(m.group(1)), int(m.group(2))


@lru_cache(maxsize=4096)
def go_mod_version(directory: str) -> GoVersion | None:
    """The `go` directive of the nearest go.mod at or above `directory` (None if there is none)."""
    root = module_root(directory)
    if root is None:
        return None
    try:
        m = _GO_DIRECTIVE.search(read_head(os.path.join(root, "go.mod"), 65536))
    except OSError:
        return None
    return (int(m.group(1)), int(m.group(2))) if m else None


@dataclass(frozen=True)
class VersionCondition:
    """`applies: "<1.23"`; outside that range the rule is silent or downgraded to info."""

    op: str
    version: GoVersion
    otherwise: str = "ignore"
    otherwise_message: str | None = None
    hint: str | None = None  # shown at info level outside the range only when hints are asked for

    @classmethod
    def parse(cls, obj: dict[str, str]) -> VersionCondition:
        m = _COND.match(obj["applies"])
        if not m:
            raise ValueError(f"go-version.applies must look like '<1.23' or '>=1.21', not {obj['applies']!r}")
        op = m.group(1) or "=="
        return cls(
            "==" if op == "=" else op,
            (int(m.group(2)), int(m.group(3))),
            obj.get("otherwise", "ignore"),
            obj.get("otherwise-message"),
            obj.get("hint"),
        )

    def with_hints(self) -> VersionCondition:
        """Outside the range, report at info level with the hint message (opt-in: `hints: true`)."""
        if self.hint is None or self.otherwise != "ignore":
            return self
        return VersionCondition(self.op, self.version, "info", self.hint, self.hint)

    def applies(self, v: GoVersion | None) -> bool:
        if v is None:
            return True  # unknown: assume the older, affected semantics
        return {
            "<": v < self.version,
            "<=": v <= self.version,
            ">": v > self.version,
            ">=": v >= self.version,
            "==": v == self.version,
        }[self.op]
