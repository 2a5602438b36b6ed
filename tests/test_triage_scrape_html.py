"""`triage --url` against a stand-in server (Python's, on loopback, serving the checked-in real
snapshots of tests/goservice/leaky), its limits and failures; and `--format html`. The live Go
service is tests/test_triage_runtime.py's."""

from __future__ import annotations

import http.server
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from linter.triage import html as triage_html
from linter.triage.inputs import InputError
from linter.triage.model import EV_GOROUTINES, Evidence, Frame, Group, InputInfo, Report, TriagedFinding
from linter.triage.report import triage
from linter.triage.scrape import _opener, base_url, collect, fetch

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "triage" / "leaky"
SERVICE = ROOT / "tests" / "goservice" / "leaky"
ROUTES = {
    "/debug/pprof/goroutine?debug=2": "goroutine-debug2.txt",
    "/debug/pprof/goroutine": "goroutine.pb.gz",
    "/debug/pprof/goroutineleak": "goroutineleak.pb.gz",
    "/debug/pprof/heap?gc=1": "heap.pb.gz",
    "/metrics": "metrics.txt",
}


class Service(http.server.ThreadingHTTPServer):
    """Serves `before/` until every route was asked once, then `after/`; `missing` routes are
    404, `slow` ones drip their body, `redirect` ones answer 302."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.asked: dict[str, int] = {}
        self.missing: set[str] = set()
        self.slow: set[str] = set()
        self.redirect: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Service

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        s = self.server
        n = s.asked.get(self.path, 0)
        s.asked[self.path] = n + 1
        if self.path in s.redirect:
            self.send_response(302)
            self.send_header("Location", "http://example.invalid/")
            self.end_headers()
            return
        if self.path not in ROUTES or self.path in s.missing:
            self.send_error(404, "Unknown profile")
            return
        body = (DATA / ("before" if n == 0 else "after") / ROUTES[self.path]).read_bytes()
        self.send_response(200)
        self.end_headers()
        if self.path in s.slow:
            for i in range(0, len(body), 64):
                self.wfile.write(body[i : i + 64])
                self.wfile.flush()
                time.sleep(0.1)  # 8 KB in 64-byte pieces: 13 s
            return
        self.wfile.write(body)


@contextmanager
def service() -> Iterator[Service]:
    s = Service()
    t = threading.Thread(target=s.serve_forever, daemon=True)
    t.start()
    try:
        yield s
    finally:
        s.shutdown()
        s.server_close()


def no_wait(_: float) -> None:
    pass


def test_collect_takes_two_snapshots_of_every_kind(tmp_path: Path) -> None:
    with service() as s:
        got = collect(s.url, 5, tmp_path, sleep=no_wait)
    assert sorted(Path(p).name for p in got.base) == ["1-goroutine-debug2.txt", "1-goroutineleak.pb.gz", "1-heap.pb.gz", "1-metrics.txt"]
    assert sorted(Path(p).name for p in got.current) == [n.replace("1-", "2-") for n in sorted(Path(p).name for p in got.base)]
    assert got.notes == []
    # the protobuf goroutine profile is only a fallback: debug=2 answered
    assert "/debug/pprof/goroutine" not in s.asked
    for p in got.current:
        assert Path(p).read_bytes() == (DATA / "after" / ROUTES[got.urls[p].removeprefix(s.url)]).read_bytes()


def test_url_report_confirms_the_planted_leaks(tmp_path: Path) -> None:
    src = shutil.copytree(SERVICE, tmp_path / "leaky")
    with service() as s:
        got = collect(s.url, 0, tmp_path / "snap", sleep=no_wait)
    report = triage(got.current, got.base, str(src))
    assert sorted(f.rule_id for f in report.findings if f.confirmed) == [
        "repeated-watch",
        "subslice-retained",
        "unbounded-label",
        "unclosed-client",
    ]
    assert report.unexplained == []


def test_missing_goroutineleak_and_metrics_are_notes(tmp_path: Path) -> None:
    """Go before 1.26 serves no goroutineleak profile; a service may have no /metrics."""
    with service() as s:
        s.missing |= {"/debug/pprof/goroutineleak", "/metrics"}
        got = collect(s.url, 0, tmp_path, sleep=no_wait)
    assert sorted(Path(p).name for p in got.current) == ["2-goroutine-debug2.txt", "2-heap.pb.gz"]
    assert len(got.notes) == 2
    assert any("goroutineleak" in n and "404" in n and "Go 1.27" in n for n in got.notes)
    assert any("/metrics" in n and "404" in n for n in got.notes)


def test_a_dump_over_the_size_limit_falls_back_to_the_protobuf_profile(tmp_path: Path) -> None:
    limit = 40_000  # the debug=2 dumps are 26 KB and 52 KB, every other file is smaller
    with service() as s:
        got = collect(s.url, 0, tmp_path, sleep=no_wait, max_bytes=limit)
    names = sorted(Path(p).name for p in got.base + got.current)
    assert "1-goroutine-debug2.txt" in names and "2-goroutine-debug2.txt" not in names
    assert "2-goroutine.pb.gz" in names and "1-goroutine.pb.gz" not in names
    # the kinds differ in format between the snapshots: said, and compared loosely
    assert any("different formats" in n for n in got.notes)
    assert all(Path(p).stat().st_size <= limit for p in got.base + got.current)


def test_limits_time_redirects_and_unreachable_services(tmp_path: Path) -> None:
    with service() as s:
        s.slow.add("/metrics")
        t = time.monotonic()
        with pytest.raises(TimeoutError):
            fetch(_opener(s.url), s.url + "/metrics", timeout=0.3)
        assert time.monotonic() - t < 8  # the time limit is for the whole body, not each read
        s.slow.clear()
        s.redirect.add("/debug/pprof/heap?gc=1")
        got = collect(s.url, 0, tmp_path, sleep=no_wait)
        assert not any("heap" in Path(p).name for p in got.current)
        assert any("heap" in n and "302" in n for n in got.notes)
        s.missing |= {"/debug/pprof/goroutine?debug=2", "/debug/pprof/goroutine"}
        with pytest.raises(InputError, match="no goroutine profile"):
            collect(s.url, 0, tmp_path / "2", sleep=no_wait)
        port = s.server_address[1]
    with pytest.raises(InputError, match="cannot connect"):
        collect(f"http://127.0.0.1:{port}", 0, tmp_path / "3", sleep=no_wait, timeout=2)


@pytest.mark.parametrize("url", ["127.0.0.1:6060", "ftp://h:1", "http://", "http://h:99999", "http://h:1/?x=1", "file:///etc/passwd"])
def test_bad_urls_are_usage_errors(url: str) -> None:
    with pytest.raises(InputError):
        base_url(url)


def test_url_on_the_command_line(tmp_path: Path, run_cli) -> None:
    with service() as s:
        code, out, err = run_cli("triage", "--url", s.url, "--interval", "0", "--format", "json", "--save", str(tmp_path / "kept"))
        assert code == 1, err
        report = json.loads(out)
        assert {i["path"] for i in report["inputs"]} == {s.url + p for p in ROUTES if p != "/debug/pprof/goroutine"}
        assert len(list((tmp_path / "kept").iterdir())) == 8
        assert "snapshot 2 of" in err
        code, _, err = run_cli("triage", "--url", s.url, str(DATA / "after" / "metrics.txt"))
        assert code == 2 and "no FILE or --base" in err
        code, _, err = run_cli("triage", "--url", "localhost:1")
        assert code == 2 and "expected http://HOST:PORT" in err
        code, _, err = run_cli("triage", "--url", s.url, "--interval", "-1")
        assert code == 2 and "--interval" in err


def test_html_is_self_contained_with_charts(tmp_path: Path, run_cli) -> None:
    src = shutil.copytree(SERVICE, tmp_path / "leaky")
    names = ("goroutine-debug2.txt", "goroutineleak.pb.gz", "heap.pb.gz", "metrics.txt")
    bases = [a for n in names for a in ("--base", str(DATA / "before" / n))]
    code, page, err = run_cli("triage", "--format", "html", "--source", str(src), *bases, *(str(DATA / "after" / n) for n in names))
    assert code == 1, err
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # no external assets: no src=, no stylesheet or script links, no URL at all
    assert not re.search(r"\bsrc\s*=|<link\b|https?://|url\(", page)
    assert page.count('class="finding confirmed"') == 4
    for kind in ("leaked-goroutines", "goroutines", "heap", "series", "label-values"):
        assert f'<svg class="chart" id="chart-{kind}"' in page
    # a leak's group is drawn red (evidence), the fixed pool blue, each over its base in grey

    def colors(kind: str) -> dict[str, str]:
        start = page.index(f'id="chart-{kind}"')
        chart = page[start : page.index("</svg>", start)]
        rows = re.findall(r"<text x=\"0\"[^>]*><title>[^<]*</title>([^<]*)</text>(.*?)(?=<text x=\"0\"|$)", chart)
        return {label: re.findall(r'fill="(#[0-9a-f]{6})" fill-opacity', body)[0] for label, body in rows}

    assert colors("leaked-goroutines")["configsdk.(*Client).sendLoop [select]"] == "#cf222e"
    assert colors("goroutines")["kv.(*Store).Watch.func1 [chan receive]"] == "#cf222e"
    assert colors("goroutines")["jobs.(*Pool).work [chan receive]"] == "#0969da"
    assert colors("heap")["server.(*Server).ingest"] == "#cf222e"
    assert "table.sortable" in page  # the audit report's sorting script


def test_html_escapes_what_profiles_and_metrics_say() -> None:
    evil = '<script>alert("x")</script>'
    frame = Frame(f"example.com/x.{evil}", f"/src/{evil}.go", 3, "")
    g = Group(EV_GOROUTINES, evil, f"goroutines {evil}", 50, 1, (frame,), frame, wait=evil, material=True)
    tf = TriagedFinding("unclosed-client", f"/src/{evil}.go", 9, evil, "error", evil, True, [Evidence.of(g)], evil)
    report = Report(
        "0", [InputInfo(evil, "goroutine", "debug2", "current", 50)], [tf], [Evidence.of(g, evil)], {EV_GOROUTINES: [g]}, evil, None, [evil]
    )
    page = triage_html.render(report)
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(") >= 8


def test_explain_points_to_the_incident_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    from linter.cli import main

    assert main(["rules"]) == 0
    rules = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert len(rules) >= 7
    for rule in rules:
        assert main(["explain", rule]) == 0
        text = capsys.readouterr().out
        assert text.count("Incident workflow") == 1 and "goplumber triage" in text.splitlines()[-1], rule
    assert "### Incident workflow" in (ROOT / "README.md").read_text()


def test_readme_incident_workflow_runs(tmp_path: Path, run_cli) -> None:
    """The README's three commands: the two collections name the files the third triages (here
    the checked-in snapshots, copied under those names into a copy of the service), and the
    triage line, run there as written, prints the report the README shows."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Incident workflow") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 3 and commands[0].startswith("curl ") and commands[1].startswith("curl ")
    assert commands[2].startswith("goplumber triage ")
    src = shutil.copytree(SERVICE, tmp_path / "src")
    route_of = {
        "goroutine?debug=2": "goroutine-debug2.txt",
        "heap?gc=1": "heap.pb.gz",
        "goroutineleak": "goroutineleak.pb.gz",
        "metrics": "metrics.txt",
    }
    for snap, cmd in (("before", commands[0]), ("after", commands[1])):
        pairs = re.findall(r"-o (\S+) '?([^' ]+)'?", cmd)
        assert len(pairs) == 3
        for name, url in pairs:
            shutil.copy(DATA / snap / next(v for k, v in route_of.items() if url.endswith(k)), src / name)
    code, out, err = run_cli("triage", *commands[2].split()[2:], cwd=src)
    assert code == 1, err
    shown = re.search(r"```\n\$ " + re.escape(commands[2]) + r"\n(.*?)```", section, re.S)
    assert shown, "the README shows the report of command 3"
    assert out == shown.group(1)
