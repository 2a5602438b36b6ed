"""The result cache: an entry goes stale when a package its findings depended on changes."""

from __future__ import annotations

from pathlib import Path

from linter import cache
from linter.engine import cached_check_group
from linter.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent

HANDLER = """package api

import (
	"net/http"

	"example.com/svc/netx"
	"example.com/svc/stats"
)

func serve(w http.ResponseWriter, r *http.Request) {
	stats.Requests.WithLabelValues(netx.Client(r)).Inc()
}
"""

CLIENT_RAW = """package netx

import "net/http"

func Client(r *http.Request) string { return r.RemoteAddr }
"""

CLIENT_FIXED = """package netx

import "net/http"

func Client(r *http.Request) string {
	if r.TLS != nil {
		return "tls"
	}
	return "plain"
}
"""

STATS = """package stats

import "github.com/prometheus/client_golang/prometheus"

var Requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"client"})
"""


def _module(tmp: Path) -> Path:
    tmp.mkdir()
    (tmp / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    for d, name, text in (("api", "api.go", HANDLER), ("netx", "netx.go", CLIENT_RAW), ("stats", "stats.go", STATS)):
        (tmp / d).mkdir()
        (tmp / d / name).write_text(text)
    return tmp / "api" / "api.go"


def _check(path: Path, cache_dir: Path) -> tuple[int, int]:
    rules = load_rules([str(ROOT / "rules" / "unbounded-label.yaml")], include_bundled=False)
    res = cached_check_group(rules, [str(path)], set(), None, str(cache_dir), cache.ruleset_digest(rules))
    return len(res.findings), res.cache_hits


def test_change_in_followed_package_invalidates_entry(tmp_path: Path) -> None:
    handler = _module(tmp_path / "src")
    cache_dir = tmp_path / "cache"
    assert _check(handler, cache_dir) == (1, 0)  # computed: the client address, through netx.Client
    assert _check(handler, cache_dir) == (1, 1)  # nothing changed: from the cache
    (tmp_path / "src" / "netx" / "netx.go").write_text(CLIENT_FIXED)  # api/ itself is untouched
    assert _check(handler, cache_dir) == (0, 0)  # stale: recomputed, the helper is bounded now
    assert _check(handler, cache_dir) == (0, 1)


def test_cleanup_added_in_declaring_package_invalidates_entry(tmp_path: Path) -> None:
    handler = _module(tmp_path / "src")
    cache_dir = tmp_path / "cache"
    assert _check(handler, cache_dir) == (1, 0)
    assert _check(handler, cache_dir) == (1, 1)
    (tmp_path / "src" / "stats" / "forget.go").write_text(
        'package stats\n\nimport "github.com/prometheus/client_golang/prometheus"\n\n'
        'func Forget(c string) { Requests.DeletePartialMatch(prometheus.Labels{"client": c}) }\n'
    )
    assert _check(handler, cache_dir) == (0, 0)  # a new file of stats/ deletes the series


def test_entry_without_module_dependencies_records_none(tmp_path: Path) -> None:
    f = tmp_path / "main.go"
    f.write_text(
        'package main\n\nimport "net/http"\n\nfunc h(w http.ResponseWriter, r *http.Request) { reqs.WithLabelValues(r.URL.Path).Inc() }\n'
    )
    cache_dir = tmp_path / "cache"
    assert _check(f, cache_dir) == (1, 0)
    entries = list(cache_dir.rglob("*.json"))
    assert len(entries) == 1 and '"deps"' not in entries[0].read_text()
    assert _check(f, cache_dir) == (1, 1)
