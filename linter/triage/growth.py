"""Groups and growth: goroutines by wait state and stack, heap by allocation site, series by
metric and by label; each compared with the same group of the --base snapshot.

What counts as growth (`Thresholds`; a group is `material` when it passes):

- a goroutine group grew by at least 10 goroutines and by at least 10% of its base count;
- an allocation site holds at least 256 KiB more in-use heap and 10% more than in the base;
- a metric has at least 10 more series and 10% more than in the base;
- a label has at least 10 more distinct values, 10% more than in the base, and more than 10
  values now (a label with a handful of values never qualifies, however it changes).

Without a base nothing is growth: only membership in the goroutineleak profile (or a debug=2
dump's "(leaked)" marks) counts, since the runtime itself proved those goroutines can never
run again. A fixed worker pool, a bounded label and a steady cache have growth 0."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from linter.triage.inputs import Snapshot
from linter.triage.model import EV_GOROUTINES, EV_HEAP, EV_LABEL, EV_LEAKED, EV_SERIES, GOROUTINELEAK, HEAP, METRICS, Frame, Group


@dataclass(frozen=True)
class Thresholds:
    goroutines: int = 10
    heap_bytes: int = 256 << 10
    series: int = 10
    label_values: int = 10
    relative: float = 0.10

    def passes(self, g: Group) -> bool:
        growth = g.growth
        if growth is None or g.base is None:
            return False
        absolute = {
            EV_GOROUTINES: self.goroutines,
            EV_LEAKED: self.goroutines,
            EV_HEAP: self.heap_bytes,
            EV_SERIES: self.series,
            EV_LABEL: self.label_values,
        }[g.kind]
        if growth < absolute or growth < self.relative * g.base:
            return False
        return g.kind != EV_LABEL or g.count > self.label_values


@lru_cache(maxsize=65536)
def is_std(function: str, modules: tuple[str, ...] = ()) -> bool:
    """Runtime or standard library: an import path whose first element has no dot (`runtime`,
    `net/http`, `internal/poll`), except `main` and the --source tree's own module paths (which
    may be dot-less, e.g. `module svc`)."""
    pkg = Frame(function, "", 0).package
    if pkg == "main" or pkg.startswith("main."):
        return False
    for m in modules:
        if pkg == m or pkg.startswith(m + "/"):
            return False
    first = pkg.split("/", 1)[0]
    return "." not in first


def user_frame(frames: tuple[Frame, ...], modules: tuple[str, ...] = ()) -> Frame | None:
    """The top (leaf-most) frame that is neither runtime nor standard library."""
    for f in frames:
        if f.function and not is_std(f.function, modules):
            return f
    return None


def _stack(frames: tuple[Frame, ...]) -> tuple[Frame, ...]:
    """The frames that identify a stack in every format: without the runtime frames the
    goroutine is parked in (only the protobuf form lists them) and runtime.goexit."""
    i = 0
    while i < len(frames) and frames[i].function.startswith("runtime.") and i < len(frames) - 1:
        i += 1
    out = frames[i:]
    if out and out[-1].function == "runtime.goexit":
        out = out[:-1]
    return out


def _key(frames: tuple[Frame, ...], wait: str, creator: Frame | None) -> str:
    """wait|stack|creator (debug=2 tells the creator, so one stack started from two places is
    two groups there)."""
    made = f"{creator.function}:{creator.line}" if creator else ""
    return wait + "|" + ";".join(f"{f.function}:{f.line}" for f in frames) + "|" + made


def groups(snap: Snapshot, modules: tuple[str, ...] = ()) -> list[Group]:
    """The snapshot's groups, base counts unset."""
    if snap.kind == HEAP:
        return _heap(snap, modules)
    if snap.kind == METRICS:
        return _series(snap)
    return _goroutines(snap, modules)


def _goroutines(snap: Snapshot, modules: tuple[str, ...]) -> list[Group]:
    by: dict[str, Group] = {}
    leak_profile = snap.kind == GOROUTINELEAK
    for g in snap.goroutines:
        stack = _stack(g.frames)
        key = _key(stack, g.wait, g.creator)
        grp = by.get(key)
        if grp is None:
            site = user_frame(stack, modules) or (stack[0] if stack else None)
            grp = by[key] = Group(
                EV_LEAKED if leak_profile else EV_GOROUTINES,
                key,
                "",
                0,
                frames=stack,
                site=site,
                creator=g.creator,
                wait=g.wait,
            )
        grp.count += g.count
        grp.objects += g.leaked  # goroutines marked leaked (see _finish)
    return [_finish_goroutines(g) for g in by.values()]


def _finish_goroutines(g: Group) -> Group:
    from_leak_profile = g.kind == EV_LEAKED
    g.leaked = g.objects > 0
    if g.leaked and g.kind == EV_GOROUTINES:
        g.kind = EV_LEAKED  # a debug=2 dump's (leaked) marks: the runtime proved them leaked
    wait = f" [{g.wait}]" if g.wait else ""
    if from_leak_profile:
        leaked = ", in the goroutineleak profile"
    elif g.leaked:
        leaked = f", {'all' if g.objects == g.count else g.objects} marked leaked"
    else:
        leaked = ""
    created = f", created by {g.creator.function}" if g.creator else ""
    g.title = f"goroutines{wait}{leaked}{created}"
    return g


def _heap(snap: Snapshot, modules: tuple[str, ...]) -> list[Group]:
    """In-use bytes and objects per allocation site (summed by site location while reading,
    linter.triage.pprof): locations are merged by the site's frame (function, file, line)."""
    table = snap.locations
    if table is None:
        return []
    merged: dict[Frame, list[Any]] = {}
    for lid, nobjects, nbytes, ids in snap.heap:
        frames = table.frames(lid)
        site = user_frame(frames, modules) or next((f for f in frames if not f.function.startswith("runtime.")), frames[0])
        acc = merged.get(site)
        if acc is None:
            merged[site] = [nbytes, nobjects, ids[: ids.index(lid) + 1] if lid in ids else ids]
        else:
            acc[0] += nbytes
            acc[1] += nobjects
    out = []
    for site, (nbytes, nobjects, ids) in merged.items():
        key = f"{site.function}|{site.path}:{site.line}"
        out.append(Group(EV_HEAP, key, "in-use heap allocated", nbytes, frames=table.stack(ids), site=site, objects=nobjects))
    return out


def _series(snap: Snapshot) -> list[Group]:
    out: list[Group] = []
    for fam in snap.families:
        out.append(Group(EV_SERIES, fam.name, f"series of {fam.name}", fam.series, metric=fam.name))
        for label, values in sorted(fam.values.items()):
            out.append(
                Group(
                    EV_LABEL, f"{fam.name}{{{label}}}", f"values of label {label} of {fam.name}", len(values), metric=fam.name, label=label
                )
            )
    return out


def compare(current: list[Group], base: list[Group] | None, thresholds: Thresholds, loose: bool = False) -> list[Group]:
    """Set each group's base count (0 for a group the base lacks) and whether its growth is
    material; rank by growth. `loose`: base and current are goroutine profiles of different
    formats, whose wait states are told differently (or not at all), so stacks alone match."""

    def k(g: Group) -> tuple[str, str]:
        if g.kind in (EV_GOROUTINES, EV_LEAKED):  # (leaked) marks come and go with the leak detector's cycles
            return ("goroutines", g.key.split("|")[1] if loose else g.key)
        return (g.kind, g.key)

    if base is not None:
        before: dict[tuple[str, str], int] = {}
        for g in base:
            before[k(g)] = before.get(k(g), 0) + g.count
        for g in current:
            g.base = before.get(k(g), 0)
    for g in current:
        g.material = g.leaked or thresholds.passes(g)
    return rank(current)


def rank(gs: list[Group]) -> list[Group]:
    return sorted(gs, key=lambda g: (not g.material, -(g.growth if g.growth is not None else g.count), -g.count, g.key))
