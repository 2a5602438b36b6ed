"""pprof protobuf profiles (goroutine, goroutineleak, heap), read with the `protobuf` package
and the module generated from pprof's profile.proto (linter/triage/pprof_proto)."""

from __future__ import annotations

from typing import Any

from linter.triage.inputs import Goroutines, InputError, Locations, Snapshot
from linter.triage.model import GOROUTINE, GOROUTINELEAK, HEAP, Frame


def _load(path: str, data: bytes) -> Any:
    try:
        from google.protobuf.message import DecodeError

        from linter.triage.pprof_proto import profile_pb2
    except ImportError as e:  # a protobuf runtime too old or too new for the generated module
        raise InputError(f"{path}: cannot load the protobuf runtime for pprof profiles: {e}") from None
    prof = profile_pb2.Profile()  # type: ignore[attr-defined]
    try:
        prof.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as e:
        raise InputError(f"{path}: not a goroutine, goroutineleak or heap profile, nor Prometheus text exposition ({e})") from None
    strings = prof.string_table
    if not strings or strings[0] != "" or not prof.sample_type:
        raise InputError(f"{path}: not a goroutine, goroutineleak or heap profile, nor Prometheus text exposition")
    return prof


def _string(strings: Any, i: int) -> str:
    return strings[i] if 0 <= i < len(strings) else ""


def read_profile(path: str, data: bytes, modules: tuple[str, ...] = ()) -> Snapshot:
    prof = _load(path, data)
    st = prof.string_table
    types = [(_string(st, t.type), _string(st, t.unit)) for t in prof.sample_type]
    names = [t for t, _ in types]
    table = _locations(prof)
    if names == ["goroutine"] or names == ["goroutineleak"]:
        kind = GOROUTINE if names == ["goroutine"] else GOROUTINELEAK
        snap = Snapshot(path, kind, "proto")
        for s in prof.sample:
            frames = table.stack(s.location_id)
            n = int(s.value[0]) if s.value else 0
            snap.goroutines.append(Goroutines(frames, _wait_of(frames), n, n if kind == GOROUTINELEAK else 0))
        return snap
    if "inuse_space" in names:
        return _heap(path, prof, names, table, modules)
    shown = ", ".join(f"{t}/{u}" for t, u in types) or "none"
    raise InputError(
        f"{path}: a pprof profile with sample types {shown}; triage reads goroutine, goroutineleak and heap (inuse_space) profiles"
    )


def _locations(prof: Any) -> Locations:
    """Every location's frames (a location's lines list inlined calls innermost first, so
    frames come out leaf first). Built once, so nothing keeps the parsed profile alive."""
    st = prof.string_table
    functions = {f.id: (_string(st, f.name), _string(st, f.filename)) for f in prof.function}
    frames: dict[int, tuple[Frame, ...]] = {}
    interned: dict[tuple[int, int], Frame] = {}
    for loc in prof.location:
        out = []
        for ln in loc.line:
            key = (ln.function_id, ln.line)
            fr = interned.get(key)
            if fr is None:
                name, file = functions.get(ln.function_id, ("", ""))
                fr = interned[key] = Frame(name or f"0x{loc.address:x}", file, int(ln.line))
            out.append(fr)
        frames[loc.id] = tuple(out) or (Frame(f"0x{loc.address:x}", "", 0),)
    return Locations(frames)


class _Renumbered:
    """A sample with its location ids renumbered 1..N (sparse ids, not the Go runtime's)."""

    __slots__ = ("value", "location_id")

    def __init__(self, value: Any, location_id: tuple[int, ...]):
        self.value = value
        self.location_id = location_id


def _renumber(samples: Any, index: dict[int, int], unknown: int) -> Any:
    for s in samples:
        yield _Renumbered(s.value, tuple(index.get(lid, unknown) for lid in s.location_id))


def _heap(path: str, prof: Any, names: list[str], table: Locations, modules: tuple[str, ...]) -> Snapshot:
    """In-use bytes and objects summed by site location while reading (see inputs.HeapSite):
    one pass over the samples, one list lookup per location until the site. Location ids are
    indexes into lists (the Go runtime numbers them 1..N; sparse ids are renumbered first)."""
    from linter.triage.growth import user_frame

    space = names.index("inuse_space")
    objects = names.index("inuse_objects") if "inuse_objects" in names else -1
    width = len(names)
    top = max(table._frames, default=0)
    if top > 4 * len(table._frames) + 1024:  # sparse ids (not the Go runtime's 1..N): renumber
        index = {lid: i for i, lid in enumerate(sorted(table._frames), start=1)}
    else:
        index = None
    size = (len(table._frames) if index is not None else top) + 1
    user = [False] * size
    key = [0] * size  # where a sample with no user location is summed: its first location outside the runtime
    for lid, frames in table._frames.items():
        i = index[lid] if index is not None else lid
        user[i] = user_frame(frames, modules) is not None
        key[i] = lid if any(not f.function.startswith("runtime.") for f in frames) else 0
    # sums by site location: lists indexed by location id are the cheapest thing per sample
    sum_b, sum_o = [0] * size, [0] * size
    example: list[Any] = [None] * size
    samples = prof.sample if index is None else _renumber(prof.sample, index, size)  # unknown ids: IndexError
    try:
        for s in samples:
            v = s.value
            if len(v) != width:
                continue
            b = v[space]
            o = v[objects] if objects >= 0 else 0
            if not (b or o):
                continue
            ids = s.location_id
            for lid in ids:
                if user[lid]:
                    site = lid
                    break
            else:
                site = next((lid for lid in ids if key[lid]), 0)
            if example[site] is None:
                example[site] = tuple(ids)
            sum_b[site] += b
            sum_o[site] += o
    except IndexError:
        raise InputError(f"{path}: a sample names a location the profile does not define") from None
    ids_of = {i: lid for lid, i in index.items()} if index is not None else None
    sites = []
    for i, ex in enumerate(example):
        if ex is None:
            continue
        if ids_of is not None:
            ex = tuple(ids_of.get(j, 0) for j in ex)
        lid = (ids_of[i] if ids_of is not None else i) if i else (ex[0] if ex else 0)
        sites.append((lid, sum_o[i], sum_b[i], ex))
    snap = Snapshot(path, HEAP, "proto", locations=table)
    snap.heap = sites
    return snap


# the runtime's wait reasons, told from the frames the goroutine is parked in (the protobuf
# form carries no state); the first match from the leaf wins
_WAITS = (
    ("runtime.chanrecv", "chan receive"),
    ("runtime.chansend", "chan send"),
    ("runtime.selectgo", "select"),
    ("internal/poll.runtime_pollWait", "IO wait"),
    ("runtime.netpollblock", "IO wait"),
    ("time.Sleep", "sleep"),
    ("runtime.timeSleep", "sleep"),
    ("sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"),
    ("sync.(*Cond).Wait", "sync.Cond.Wait"),
    ("sync.(*Mutex).Lock", "sync.Mutex.Lock"),
    ("sync.(*RWMutex).Lock", "sync.RWMutex.Lock"),
    ("sync.(*RWMutex).RLock", "sync.RWMutex.RLock"),
    ("runtime.semacquire", "semacquire"),
    ("syscall.", "syscall"),
)


def _wait_of(frames: tuple[Frame, ...]) -> str:
    parked = any(f.function == "runtime.gopark" or f.function == "runtime.goparkunlock" for f in frames[:3])
    for f in frames[:8]:
        if f.function == "runtime.block":
            return "select (no cases)"
        for prefix, reason in _WAITS:
            if f.function.startswith(prefix):
                return reason
    return "waiting" if parked else "running"
