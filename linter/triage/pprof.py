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


def read_profile(path: str, data: bytes) -> Snapshot:
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
        space = names.index("inuse_space")
        objects = names.index("inuse_objects") if "inuse_objects" in names else -1
        snap = Snapshot(path, HEAP, "proto", locations=table)
        heap = snap.heap
        width = len(names)
        for s in prof.sample:
            v = s.value
            if len(v) != width:
                continue
            b = v[space]
            o = v[objects] if objects >= 0 else 0
            if b or o:
                heap.append((s.location_id, o, b))
        return snap
    shown = ", ".join(f"{t}/{u}" for t, u in types) or "none"
    raise InputError(
        f"{path}: a pprof profile with sample types {shown}; triage reads goroutine, goroutineleak and heap (inuse_space) profiles"
    )


def _locations(prof: Any) -> Locations:
    """The location table (a location's lines list inlined calls innermost first, so frames
    come out leaf first)."""
    st = prof.string_table
    functions = {f.id: (_string(st, f.name), _string(st, f.filename)) for f in prof.function}
    return Locations({loc.id: loc for loc in prof.location}, functions)


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
