"""The data `goplumber triage` works on: frames and groups read from profiles and metrics, the
evidence a group gives, findings with the evidence that confirms them, and the report.

Every renderer (text, json, html) reads a `Report` and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# input kinds, as detected from the content (linter.triage.inputs.detect)
GOROUTINE = "goroutine"  # /debug/pprof/goroutine (debug=1, debug=2 or protobuf)
GOROUTINELEAK = "goroutineleak"  # /debug/pprof/goroutineleak (Go 1.26+; debug=1, debug=2 or protobuf)
HEAP = "heap"  # /debug/pprof/heap (protobuf)
METRICS = "metrics"  # /metrics (Prometheus text exposition)
KINDS = (GOROUTINE, GOROUTINELEAK, HEAP, METRICS)

# evidence kinds
EV_GOROUTINES = "goroutines"  # count: goroutines in the group; growth: more than in the base
EV_LEAKED = "leaked-goroutines"  # count: goroutines the runtime's leak detector reports; growth as above
EV_HEAP = "heap"  # count: in-use bytes at the allocation site; growth: bytes more than in the base
EV_SERIES = "series"  # count: series of one metric; growth: series more than in the base
EV_LABEL = "label-values"  # count: distinct values of one label of one metric; growth as above


@dataclass(frozen=True)
class Frame:
    """One stack frame: a Go symbol (`example.com/svc/pkg.(*T).M.func1`) and the file and line
    the profile names. `source` is the file in --source that the path maps to ("" if none)."""

    function: str
    path: str
    line: int
    source: str = ""

    @property
    def package(self) -> str:
        """The import path: what precedes the first '.' after the last '/' (the runtime escapes
        dots in the last path element, e.g. `gopkg.in/yaml%2ev3.(*decoder).unmarshal`)."""
        slash = self.function.rfind("/")
        dot = self.function.find(".", slash + 1)
        return self.function[:dot] if dot >= 0 else self.function

    @property
    def name(self) -> str:
        """The function inside its package: `F`, `(*T).M`, `F.func1`."""
        return self.function[len(self.package) + 1 :]

    def where(self) -> dict[str, Any]:
        return {"function": self.function, "path": self.source or self.path, "line": self.line}


@dataclass
class Group:
    """Goroutines with one wait state and stack, heap in use at one allocation site, the series
    of one metric, or the distinct values of one metric's label, in the current snapshot and
    (when a --base was given) the earlier one.

    `count` and `base` are in the evidence kind's unit (goroutines, bytes, series, values);
    `base` is None without a base snapshot. `frames` are leaf first; `site` is the frame the
    group is shown at (the top user frame, or for series nothing)."""

    kind: str  # an EV_* kind
    key: str  # identity inside the kind, equal across snapshots
    title: str  # one line for people: wait state and function, allocation site, metric{label}
    count: int
    base: int | None = None
    frames: tuple[Frame, ...] = ()
    site: Frame | None = None
    creator: Frame | None = None  # goroutines: the `created by` frame (debug=2 only)
    wait: str = ""  # goroutines: chan receive, select, IO wait, ...
    objects: int = 0  # heap: in-use objects
    metric: str = ""  # series, label-values: the metric family
    label: str = ""  # label-values: the label name
    leaked: bool = False  # in the goroutineleak profile, or marked (leaked) in a debug=2 dump
    material: bool = False  # growth passes the thresholds (linter.triage.growth.Thresholds)

    @property
    def growth(self) -> int | None:
        return None if self.base is None else self.count - self.base


@dataclass
class Evidence:
    """A group as evidence: what the report and json show of it."""

    kind: str
    count: int
    growth: int | None
    where: Frame | None
    title: str
    leaked: bool = False
    hint: str = ""  # unexplained growth: what to look at
    material: bool = False  # grew past the thresholds, or in the leak profile

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "count": self.count,
            "growth": self.growth,
            "where": self.where.where() if self.where else None,
        }
        return out

    @classmethod
    def of(cls, g: Group, hint: str = "") -> Evidence:
        return cls(g.kind, g.count, g.growth, g.site, g.title, g.leaked, hint, g.material)


@dataclass
class TriagedFinding:
    """A static finding on --source and the runtime evidence linked to it. `confirmed` only
    when some evidence grew materially or is in the leak profile; `note` says why a finding
    cannot be confirmed (time.After on Go >= 1.23) or how it was linked."""

    rule_id: str
    path: str
    line: int
    message: str
    severity: str
    function: str = ""  # the Go symbol of the enclosing function, as profiles name it
    confirmed: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "path": self.path,
            "line": self.line,
            "confirmed": self.confirmed,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass
class InputInfo:
    path: str
    kind: str
    format: str  # debug1, debug2, proto, text
    role: str  # "current" or "base"
    total: int  # goroutines, in-use bytes, series

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "format": self.format, "role": self.role, "total": self.total}


@dataclass
class Report:
    version: str
    inputs: list[InputInfo]
    findings: list[TriagedFinding]  # confirmed first, then by rule and place
    unexplained: list[Evidence]  # material growth (or leaked goroutines) no finding explains
    groups: dict[str, list[Group]]  # every group by evidence kind, ranked (largest growth first)
    source: str | None = None  # --source as given
    go_version: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)  # what limits the report (no base, no source...)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "inputs": [i.to_json() for i in self.inputs],
            "findings": [f.to_json() for f in self.findings],
            "unexplained": [{**e.to_json(), "hint": e.hint} for e in self.unexplained],
        }
