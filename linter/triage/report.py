"""From inputs to a `Report`: read the snapshots, pair each with its --base, group and diff,
run the static check on --source and link each finding to the groups its code explains.

Links, by rule (a finding's *function* is the top-level function or method it is in, matched
by the source file and line span its frames map to; its *callee* is the function or method
its call names, matched by import path and name):

- unclosed-client, repeated-watch: goroutines created by the callee (`created by` of a debug=2
  dump) or running inside it (a frame of the callee or a closure of it); where the profile
  names no creator (debug=1, protobuf), also goroutines in methods of the type a constructor
  `NewT`/`New` returns, unless the group is linked exactly to another finding.
  repeated-watch also takes goroutines created in the finding's function.
- endless-goroutine: goroutines created in or running inside the finding's function.
- subslice-retained, time-after-in-loop, unstopped-ticker: heap whose allocation site (top user
  frame) is in the finding's function.
- unbounded-label: the distinct values of the label the finding's argument is for, and the
  series count, of the metric vector it writes to (its full name from its declaration).
- any other rule: goroutines running inside, and heap allocated in, the finding's function.

A finding is confirmed when one of its evidence groups grew materially (growth.Thresholds) or
is in the leak profile. time-after-in-loop on Go >= 1.23 is never confirmed (timers are
collected there; the note says so)."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from linter import __version__
from linter.triage.growth import Thresholds, compare, groups, is_std, rank
from linter.triage.inputs import InputError, Snapshot, read
from linter.triage.model import (
    EV_GOROUTINES,
    EV_HEAP,
    EV_LABEL,
    EV_LEAKED,
    EV_SERIES,
    Evidence,
    Frame,
    Group,
    InputInfo,
    Report,
    TriagedFinding,
)
from linter.triage.source import Callee, Context, Tree, context, vectors

GOROUTINE_CALLEE_RULES = frozenset({"unclosed-client", "repeated-watch"})
GOROUTINE_OWN_RULES = frozenset({"endless-goroutine"})
HEAP_RULES = frozenset({"subslice-retained", "time-after-in-loop", "unstopped-ticker"})
LABEL_RULES = frozenset({"unbounded-label"})
TIMER_RULES = frozenset({"time-after-in-loop", "unstopped-ticker"})
MAX_EVIDENCE = 10
MAX_UNEXPLAINED = 20


def triage(
    inputs: list[str],
    bases: list[str] | None = None,
    source: str | None = None,
    thresholds: Thresholds | None = None,
    check_options: object | None = None,
) -> Report:
    """The report for `inputs` (current snapshots), each compared with the --base of its
    kind, linked to the static findings on `source`. `check_options` is a
    linter.engine.Options for the static check (default: the built-in rules, hints on).
    InputError for inputs that cannot be read or paired."""
    thresholds = thresholds or Thresholds()
    tree = Tree.scan(source) if source else None
    modules = tuple(sorted(set(tree.modules.values()))) if tree else ()
    snaps = read_all([*inputs, *(bases or [])], modules)
    current, before = snaps[: len(inputs)], snaps[len(inputs) :]
    pairs = _pair(current, before)

    infos = [InputInfo(s.path, s.kind, s.format, "current", s.total) for s in current]
    infos += [InputInfo(s.path, s.kind, s.format, "base", s.total) for s in before]
    by_kind: dict[str, list[Group]] = {}
    for snap, base in pairs:
        loose = base is not None and base.format != snap.format
        gs = compare(groups(snap, modules), groups(base, modules) if base else None, thresholds, loose)
        for g in gs:
            by_kind.setdefault(g.kind, []).append(_mapped(g, tree))
    by_kind = {k: rank(v) for k, v in by_kind.items()}

    report = Report(__version__, infos, [], [], by_kind, source)
    if not any(b is not None for _, b in pairs):
        report.notes.append(
            "no --base snapshot: growth cannot be measured, so only goroutines the runtime's leak detector reports (the goroutineleak"
            " profile, or (leaked) in a debug=2 dump) can confirm a finding"
        )
    linked: set[int] = set()
    if tree is not None:
        from linter.goversion import go_mod_version

        report.go_version = go_mod_version(tree.root)
        report.findings = _link_findings(tree, source or ".", by_kind, check_options, linked, report)
    else:
        report.notes.append("no --source: nothing to link the growth to; all of it is listed as unexplained")
    report.unexplained = _unexplained(by_kind, linked, tree, modules)
    return report


PARALLEL_BYTES = 8 << 20  # inputs this large in total are read two at a time


def read_all(paths: list[str], modules: tuple[str, ...] = ()) -> list[Snapshot]:
    """Read the inputs, in two worker processes when there are several and they are large (a
    50 MB heap profile and its base: reading is most of triage's time and each is one core's
    work). Ctrl-C is the parent's alone, as in the engine's pool."""
    sizes = []
    for p in paths:
        try:
            sizes.append(os.path.getsize(p))
        except OSError:
            sizes.append(0)
    workers = min(2, os.cpu_count() or 1, len(paths))
    if workers < 2 or sum(sizes) < PARALLEL_BYTES or sorted(sizes)[-2] < PARALLEL_BYTES // 8:
        return [read(p, modules) for p in paths]
    from concurrent.futures import ProcessPoolExecutor

    from linter.interrupt import sigint_blocked, stop_pool, worker_initializer

    order = sorted(range(len(paths)), key=lambda i: -sizes[i])  # biggest first
    with ProcessPoolExecutor(max_workers=workers, initializer=worker_initializer, initargs=(None,)) as ex:
        with sigint_blocked():
            futures = {i: ex.submit(read, paths[i], modules) for i in order}
        try:
            return [futures[i].result() for i in range(len(paths))]
        except BaseException:  # Ctrl-C, or an input error: do not wait for the rest
            stop_pool(ex)
            raise


def _pair(current: list[Snapshot], before: list[Snapshot]) -> list[tuple[Snapshot, Snapshot | None]]:
    seen: dict[str, Snapshot] = {}
    for s in current:
        if s.kind in seen:
            raise InputError(f"two {s.kind} inputs ({seen[s.kind].path}, {s.path}): give the earlier one with --base")
        seen[s.kind] = s
    base_of: dict[str, Snapshot] = {}
    for b in before:
        if b.kind in base_of:
            raise InputError(f"two --base {b.kind} inputs ({base_of[b.kind].path}, {b.path})")
        if b.kind not in seen:
            raise InputError(f"--base {b.path} is a {b.kind} snapshot, but no current {b.kind} snapshot was given")
        base_of[b.kind] = b
    return [(s, base_of.get(s.kind)) for s in current]


def _mapped(g: Group, tree: Tree | None) -> Group:
    if tree is None:
        return g

    def m(f: Frame | None) -> Frame | None:
        return replace(f, source=tree.map_path(f.path)) if f is not None else None

    return replace(g, frames=tuple(replace(f, source=tree.map_path(f.path)) for f in g.frames), site=m(g.site), creator=m(g.creator))


# --- findings --------------------------------------------------------------------------------


def _static(source: str, check_options: object | None) -> tuple[list[object], list[object]]:
    from linter.engine import Options, check_paths, configured_rules, select_rules

    options = check_options if isinstance(check_options, Options) else Options(jobs=os.cpu_count() or 1, hints=True)
    rules = select_rules(configured_rules(options), options)
    result = check_paths([source], rules, options)
    return list(result.findings), list(result.errors)


def _link_findings(
    tree: Tree, source: str, by_kind: dict[str, list[Group]], check_options: object | None, linked: set[int], report: Report
) -> list[TriagedFinding]:
    from linter.goversion import go_mod_version

    findings, errors = _static(source, check_options)
    incomplete = [e for e in errors if getattr(e, "incomplete", False)]
    if incomplete:
        report.notes.append(f"the static check could not fully check {len(incomplete)} file(s) under --source; links may be missing")
    out: list[TriagedFinding] = []
    links: list[set[int]] = []  # per finding: the ids of the groups linked to it
    exact: set[int] = set()  # groups linked exactly to some finding
    loose_links: list[tuple[int, Group]] = []
    groups_by_id: dict[int, Group] = {}
    for f in findings:
        path, line, col = f.path, f.line, f.column  # type: ignore[attr-defined]
        ctx = context(tree, path, line, col)
        tf = TriagedFinding(f.rule_id, path, line, f.message, f.severity, ctx.function)  # type: ignore[attr-defined]
        out.append(tf)
        links.append(set())
        for g, strength in _candidates(tf, ctx, by_kind, path, tree):
            groups_by_id[id(g)] = g
            if strength == "exact":
                exact.add(id(g))
                links[-1].add(id(g))
            else:
                loose_links.append((len(out) - 1, g))
        version = go_mod_version(os.path.dirname(os.path.abspath(path)))
        if tf.rule_id in TIMER_RULES and version is not None and version >= (1, 23):
            tf.note = (
                f"not confirmable: go.mod says go {version[0]}.{version[1]}, and from Go 1.23 timers nothing references are garbage-collected"
                " even before they fire or are stopped, so this is timer churn, not a leak that runtime evidence could confirm"
            )
    for index, g in loose_links:
        if id(g) not in exact:
            links[index].add(id(g))
    for tf, ids in zip(out, links, strict=True):
        evidence = sorted((Evidence.of(groups_by_id[i]) for i in ids), key=lambda e: (not e.material, -(e.growth or 0), -e.count, e.title))
        tf.evidence = evidence[:MAX_EVIDENCE]
        tf.confirmed = any(e.material for e in evidence) and not tf.note
        linked.update(ids)
    out.sort(key=lambda t: (not t.confirmed, t.path, t.line, t.rule_id))
    return out


def _in_span(f: Frame | None, path: str, span: tuple[int, int]) -> bool:
    if f is None or not f.source or span == (0, 0):
        return False
    return os.path.normpath(f.source) == os.path.normpath(path) and span[0] <= f.line <= span[1]


_CLOSURE = re.compile(r"^\.(func|gowrap)\d+")


def _names_callee(frame: Frame, c: Callee, constructor_types: bool) -> str:
    """'exact' when the frame is the callee or a closure of it, 'type' when (constructor_types)
    it is a method of the type the constructor returns, '' otherwise."""
    pkgs = (c.package,) if c.package else c.packages
    if frame.package not in pkgs:
        return ""
    name = frame.name
    if c.receiver == "*":
        m = re.match(r"^(\(\*?[A-Za-z_]\w*(?:\[.*?\])?\)|[A-Za-z_]\w*)\.", name)
        rest = name[m.end() :] if m else ""
        if rest == c.name or (rest.startswith(c.name) and _CLOSURE.match(rest[len(c.name) :])):
            return "exact"
        return ""
    target = f"{c.receiver}.{c.name}" if c.receiver else c.name
    if name == target or (name.startswith(target) and _CLOSURE.match(name[len(target) :])):
        return "exact"
    if constructor_types and not c.receiver and c.name.startswith("New"):
        tname = c.name[3:]
        m = re.match(r"^\(\*?([A-Za-z_]\w*)(?:\[.*?\])?\)\.|^([A-Za-z_]\w*)\.", name)
        if m and (not tname or tname == (m.group(1) or m.group(2))):
            return "type"
    return ""


def _candidates(tf: TriagedFinding, ctx: Context, by_kind: dict[str, list[Group]], path: str, tree: Tree) -> list[tuple[Group, str]]:
    out: list[tuple[Group, str]] = []
    goroutines = by_kind.get(EV_GOROUTINES, []) + by_kind.get(EV_LEAKED, [])
    rule = tf.rule_id
    callee = ctx.callee
    modules = tuple(sorted(set(tree.modules.values())))
    std_callee = callee is not None and bool(callee.package) and is_std(callee.package + ".x", modules)
    if callee is not None and not callee.package:  # a method of a value of unknown type: not one of the standard library's
        callee = replace(callee, packages=tuple(p for p in callee.packages if not is_std(p + ".x", modules)))
    if rule in GOROUTINE_CALLEE_RULES or rule in GOROUTINE_OWN_RULES or rule not in (HEAP_RULES | LABEL_RULES):
        for g in goroutines:
            strength = ""
            if rule in GOROUTINE_CALLEE_RULES and callee is not None and not std_callee:
                if g.creator is not None:
                    strength = _names_callee(g.creator, callee, False) or next(
                        (s for s in (_names_callee(fr, callee, False) for fr in g.frames) if s), ""
                    )
                else:
                    strength = next((s for s in (_names_callee(fr, callee, True) for fr in g.frames) if s), "")
                if not strength and rule == "repeated-watch" and _in_span(g.creator, path, ctx.span):
                    strength = "exact"
            elif rule not in GOROUTINE_CALLEE_RULES:
                if _in_span(g.creator, path, ctx.span) or any(_in_span(fr, path, ctx.span) for fr in g.frames):
                    strength = "exact"
            if strength:
                out.append((g, strength))
    if rule in HEAP_RULES or rule not in (GOROUTINE_CALLEE_RULES | GOROUTINE_OWN_RULES | LABEL_RULES):
        for g in by_kind.get(EV_HEAP, []):
            if _in_span(g.site, path, ctx.span):
                out.append((g, "exact"))
    if rule in LABEL_RULES:
        out.extend((g, "exact") for g in _series_of(tf, ctx, by_kind, path, tree))
    return out


def _metric_matches(family: str, full: str) -> bool:
    """prometheus_client names a counter family without its `_total` suffix."""
    return family == full or family + "_total" == full or (full.endswith("_total") and family == full[: -len("_total")])


def _series_of(tf: TriagedFinding, ctx: Context, by_kind: dict[str, list[Group]], path: str, tree: Tree) -> list[Group]:
    if not ctx.vector:
        return []
    directory = tree.directory_of(ctx.vector_package) if ctx.vector_package else os.path.dirname(path)
    vec = vectors(directory).get(ctx.vector) if directory is not None else None
    if vec is None:
        return []
    labels: set[str] = set()
    m = re.search(r"label value (.+?) is unbounded", tf.message)
    expr = m.group(1) if m else ""
    for i, a in enumerate(ctx.label_args):
        if expr and a.strip() == expr and i < len(vec.labels) and vec.labels[i]:
            labels.add(vec.labels[i])
    for k, v in ctx.keyed_labels:
        if not expr or v.strip() == expr:
            labels.add(k)
    if not labels:
        labels = {lb for lb in vec.labels if lb}
    out = [g for g in by_kind.get(EV_LABEL, []) if _metric_matches(g.metric, vec.name) and g.label in labels]
    out += [g for g in by_kind.get(EV_SERIES, []) if _metric_matches(g.metric, vec.name)]
    return out


# --- unexplained -------------------------------------------------------------------------------

_HINTS = {
    EV_GOROUTINES: "goroutines pile up here: look for a goroutine started per call or per tick that nothing stops (a missing cancel, Close or Stop, a channel nobody reads or closes)",
    EV_LEAKED: "the runtime proved these goroutines can never run again (blocked on a channel or lock nothing else can reach): find who starts them and give them a way out",
    EV_HEAP: "in-use memory grows at this allocation: look for a map, cache, slice or field that keeps what it allocates (a sub-slice keeps its whole array)",
    EV_SERIES: "the metric gains series: one of its labels takes unbounded values",
    EV_LABEL: "this label gains values: if they are raw paths, IDs, addresses or error texts, map them to a bounded set (a route template, a status class)",
}


def _unexplained(by_kind: dict[str, list[Group]], linked: set[int], tree: Tree | None, modules: tuple[str, ...]) -> list[Evidence]:
    out: list[Evidence] = []
    for kind in (EV_LEAKED, EV_GOROUTINES, EV_HEAP, EV_LABEL, EV_SERIES):
        for g in by_kind.get(kind, []):
            if not g.material or id(g) in linked:
                continue
            if kind in (EV_GOROUTINES, EV_LEAKED, EV_HEAP) and (g.site is None or is_std(g.site.function, modules)):
                continue  # no user frame: runtime bookkeeping (goroutine stacks, GC workers)
            hint = _HINTS[kind]
            if tree is not None and g.site is not None and kind in (EV_GOROUTINES, EV_LEAKED, EV_HEAP) and not g.site.source:
                hint += f"; {g.site.path} is not in --source (a dependency?): check what in your code calls it"
            out.append(Evidence.of(g, hint))
    return out[:MAX_UNEXPLAINED]
