"""Reading triage inputs. The kind is detected from the content, never from the file name:

- goroutine profile: text `debug=1` ("goroutine profile: total N"), text `debug=2` (a
  traceback dump, "goroutine 1 [running]:"), or protobuf (sample type goroutine/count);
- goroutineleak profile (Go 1.26+): text `debug=1` ("goroutineleak profile: total N") or
  protobuf (sample type goroutineleak/count). Its `debug=2` form is a full traceback dump with
  the leaked goroutines marked "(leaked)", read as a goroutine dump (the marks are kept);
- heap profile: protobuf with inuse_space/inuse_objects sample types (also the allocs profile,
  which carries the same values);
- Prometheus text exposition (what /metrics serves), parsed with prometheus_client.

Protobuf is read gzip-compressed (as /debug/pprof serves it) or raw, with the `protobuf`
package and pprof's own profile.proto (linter/triage/pprof_proto). Anything else is an
`InputError` (exit 2 with a one-line message), never a crash."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from linter.triage.model import GOROUTINE, GOROUTINELEAK, HEAP, METRICS, Frame

MAX_INPUT_BYTES = 1 << 30  # read or decompressed


class InputError(Exception):
    """An input that cannot be triaged (unreadable, unrecognised, corrupt): a usage error."""


@dataclass
class Goroutines:
    """Goroutines with one stack and wait state in one snapshot."""

    frames: tuple[Frame, ...]  # leaf first
    wait: str = ""  # "" when the format does not say (debug=1)
    count: int = 0
    leaked: int = 0  # how many of them the runtime marked leaked
    creator: Frame | None = None  # `created by` (debug=2)


class Locations:
    """A protobuf profile's location table: the frames of each location id, leaf first (a
    location lists inlined calls innermost first)."""

    def __init__(self, frames: dict[int, tuple[Frame, ...]]):
        self._frames = frames

    def frames(self, location_id: int) -> tuple[Frame, ...]:
        got = self._frames.get(location_id)
        return got if got is not None else (Frame(f"location {location_id}", "", 0),)

    def stack(self, ids: Sequence[int]) -> tuple[Frame, ...]:
        out: list[Frame] = []
        for i in ids:
            out.extend(self.frames(i))
        return tuple(out)


# In-use heap, summed over the samples whose site is one location: (the site's location id,
# objects, bytes, the location ids of one such sample leaf first). The site is the first
# location with a user frame (linter.triage.growth.user_frame, for the modules given to
# `read`), else the first outside the runtime, else the leaf. A large heap profile has a
# million samples but tens of thousands of sites: summing while reading keeps both the time and
# the memory of a 50 MB profile small.
HeapSite = tuple[int, int, int, tuple[int, ...]]


@dataclass
class Family:
    """One metric family: its distinct series (label sets, without le/quantile) and the
    distinct values of each label."""

    name: str
    type: str
    series: int
    values: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Snapshot:
    path: str
    kind: str  # model.KINDS
    format: str  # debug1, debug2, proto, text
    goroutines: list[Goroutines] = field(default_factory=list)
    heap: list[HeapSite] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    locations: Locations | None = None  # protobuf heap profiles

    @property
    def total(self) -> int:
        if self.kind in (GOROUTINE, GOROUTINELEAK):
            return sum(g.count for g in self.goroutines)
        if self.kind == HEAP:
            return sum(h[2] for h in self.heap)
        return sum(f.series for f in self.families)


def read(path: str, modules: tuple[str, ...] = ()) -> Snapshot:
    """Read and parse one input file; InputError for anything that is not a known input.
    `modules`: the source tree's module paths (a dot-less module path is not the standard
    library; heap sites are found while reading)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: larger than {MAX_INPUT_BYTES >> 20} MiB")
    return parse(path, data, modules)


def parse(path: str, data: bytes, modules: tuple[str, ...] = ()) -> Snapshot:
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(path, data)
    text = _as_text(data)
    if text is not None:
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")
        head = text.lstrip("\ufeff \t\r\n")[:200]
        if head.startswith("goroutine profile: total"):
            return _debug1(path, text, GOROUTINE)
        if head.startswith("goroutineleak profile: total"):
            return _debug1(path, text, GOROUTINELEAK)
        if _DEBUG2_HEADER.match(head) or _DEBUG2_ANYWHERE.search(text, 0, 65536):
            return _debug2(path, text)  # also a crash or SIGQUIT dump: "panic: ..." before the goroutines
        if head.startswith("heap profile:"):
            raise InputError(
                f"{path}: a heap profile in text form (debug=1); triage reads the protobuf form: fetch /debug/pprof/heap without ?debug"
            )
        if _looks_like_exposition(text):
            return _metrics(path, text)
    from linter.triage.pprof import read_profile

    return read_profile(path, data, modules)


def _gunzip(path: str, data: bytes) -> bytes:
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(data, MAX_INPUT_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile, EOFError) as e:
        raise InputError(f"{path}: corrupt gzip data: {e}") from None
    if len(out) > MAX_INPUT_BYTES:
        raise InputError(f"{path}: more than {MAX_INPUT_BYTES >> 20} MiB once decompressed")
    return out


def _as_text(data: bytes) -> str | None:
    """The data as text if it is text (UTF-8 without NUL bytes in its first 64 KiB)."""
    if b"\x00" in data[:65536]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --- goroutine profiles, text ---------------------------------------------------------------

_DEBUG1_COUNT = re.compile(r"^(\d+) @(?: 0x[0-9a-f]+)*\s*$")
_DEBUG2_HEADER = re.compile(r"goroutine \d+(?: [^\[\n]*)? \[[^\]\n]*\]:")
_DEBUG2_ANYWHERE = re.compile(r"^goroutine \d+(?: [^\[\n]*)? \[[^\]\n]*\]:\n", re.MULTILINE)
_DEBUG2_STATE = re.compile(r"^goroutine (\d+)(?: [^\[]*)? \[(.*)\]:\s*$")
_CREATED_BY = re.compile(r"^created by (.+?)(?: in goroutine \d+)?\s*$")
_OFFSET = re.compile(r"\+0x[0-9a-f]+$")


def _debug1(path: str, text: str, kind: str) -> Snapshot:
    """`N @ pc pc ...` blocks, each followed by `#\\tpc\\tfunc+off\\tfile:line` frames (runtime
    frames that the runtime itself elides are not listed, so the wait state is unknown)."""
    snap = Snapshot(path, kind, "debug1")
    current: Goroutines | None = None
    frames: list[Frame] = []

    def close() -> None:
        if current is not None:
            current.frames = tuple(frames)
            snap.goroutines.append(current)

    for line in text.splitlines()[1:]:
        m = _DEBUG1_COUNT.match(line)
        if m:
            close()
            n = int(m.group(1))
            current, frames = Goroutines((), count=n, leaked=n if kind == GOROUTINELEAK else 0), []
            continue
        if current is None or not line.startswith("#\t"):
            continue  # blank lines, `# labels: {...}`
        parts = [p for p in line.split("\t") if p]
        if len(parts) < 4:
            continue
        fn = _OFFSET.sub("", parts[2])
        file, _, num = parts[-1].rpartition(":")
        frames.append(Frame(fn, file, int(num) if num.isdigit() else 0))
    close()
    if not snap.goroutines and not re.search(r"total 0\s*$", text.splitlines()[0] if text else ""):
        raise InputError(f"{path}: a {kind} profile (debug=1) with no goroutine records")
    return snap


def _function_of(call: str) -> str:
    """`pkg.(*T).M(0x1, {0x2})` -> `pkg.(*T).M`: drop the argument list, the last
    parenthesis (argument words are hex numbers, braces and `...`, never parentheses)."""
    call = call.rstrip()
    if not call.endswith(")"):
        return call
    i = call.rfind("(")
    return call[:i] if i > 0 else call


def _normal_wait(state: str) -> tuple[str, bool]:
    """`chan receive (nil chan) (leaked), 5 minutes, locked to thread` -> (`chan receive (nil
    chan)`, leaked)."""
    reason = state.split(", ")[0].strip()
    leaked = "(leaked)" in reason
    if leaked:
        reason = reason.replace("(leaked)", "").strip()
    return reason, leaked


def _debug2(path: str, text: str) -> Snapshot:
    """A traceback dump: `goroutine N [state]:`, then `function(args)` / `\\tfile:line +0x..`
    pairs, then `created by function in goroutine M` and its file:line. Written for dumps of
    tens of thousands of goroutines: plain string operations, frames interned."""
    snap = Snapshot(path, GOROUTINE, "debug2")
    groups: dict[tuple[object, ...], Goroutines] = {}
    frames_seen: dict[tuple[str, str, str], Frame] = {}
    states: dict[str, tuple[str, bool]] = {}
    state_match = _DEBUG2_STATE.match
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        m = state_match(lines[0])
        if not m:
            continue
        state = m.group(2)
        ws = states.get(state)
        if ws is None:
            ws = states[state] = _normal_wait(state)
        wait, leaked = ws
        frames: list[Frame] = []
        creator: Frame | None = None
        i, n = 1, len(lines)
        while i + 1 < n:
            head, nxt = lines[i], lines[i + 1]
            if head.startswith("\t") or not nxt.startswith("\t"):
                i += 1  # "...additional frames elided...", stray lines
                continue
            i += 2
            loc = nxt[1:]
            plus = loc.rfind(" +0x")
            if plus >= 0:
                loc = loc[:plus]
            file, _, num = loc.rpartition(":")
            key = (head, file, num)
            fr = frames_seen.get(key)
            if fr is None:
                if head.startswith("created by "):
                    cb = _CREATED_BY.match(head)
                    name = cb.group(1) if cb else head[len("created by ") :]
                else:
                    name = _function_of(head)
                fr = frames_seen[key] = Frame(name, file, int(num) if num.isdigit() else 0)
            if head.startswith("created by "):
                creator = fr
            else:
                frames.append(fr)
        gkey = (wait, tuple(frames), creator)
        g = groups.get(gkey)
        if g is None:
            g = groups[gkey] = Goroutines(tuple(frames), wait, 0, 0, creator)
        g.count += 1
        g.leaked += leaked
    if not groups:
        raise InputError(f"{path}: looks like a goroutine dump (debug=2) but has no goroutine records")
    snap.goroutines = list(groups.values())
    return snap


# --- Prometheus text exposition -------------------------------------------------------------

_SAMPLE_LINE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+[-+]?(?:[0-9.]|Inf|NaN)\S*(?:\s+-?[0-9]+)?\s*$", re.IGNORECASE)
_IGNORED_LABELS = frozenset({"le", "quantile"})


def _looks_like_exposition(text: str) -> bool:
    for line in text.splitlines()[:50]:
        s = line.strip()
        if not s:
            continue
        if s.startswith(("# HELP ", "# TYPE ")):
            return True
        if s.startswith("#"):
            continue
        return bool(_SAMPLE_LINE.match(s))
    return False


def _metrics(path: str, text: str) -> Snapshot:
    from prometheus_client.parser import text_string_to_metric_families

    snap = Snapshot(path, METRICS, "text")
    try:
        for fam in text_string_to_metric_families(text):
            snap.families.append(_family(fam.name, fam.type, (s.labels for s in fam.samples)))
    except Exception as e:  # noqa: BLE001 - the parser raises ValueError, KeyError, IndexError... on bad input
        raise InputError(f"{path}: not valid Prometheus text exposition: {type(e).__name__}: {e}") from None
    if not snap.families:
        raise InputError(f"{path}: Prometheus text exposition with no metric")
    return snap


def _family(name: str, type_: str, labelsets: Iterable[dict[str, str]]) -> Family:
    series: set[frozenset[tuple[str, str]]] = set()
    values: dict[str, set[str]] = {}
    for labels in labelsets:
        kept = frozenset((k, v) for k, v in labels.items() if k not in _IGNORED_LABELS)
        series.add(kept)
        for k, v in kept:
            values.setdefault(k, set()).add(v)
    return Family(name, type_, len(series), values)
