"""A resource built per call and held by a local holder, declared only in `.goplumber.yaml`: the
lifetime check follows the holder (`held-by`), so a user adds such a type without code."""

from __future__ import annotations

import json
from pathlib import Path

CONFIG = """parameters:
  unclosed-client:
    lifetime:
      resources:
        - callee: '^cleanhttp\\.DefaultPooledTransport$'
          release: [CloseIdleConnections]
          held-by: [{type: '^http\\.Client$', field: Transport}]
          unless-set: {DisableKeepAlives: '^true$'}
          lazy: true
"""

SERVICE = """package svc

import (
	"net/http"

	"github.com/hashicorp/go-cleanhttp"
)

func proxy(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{}
	client.Transport = cleanhttp.DefaultPooledTransport()
	resp, err := client.Get("http://upstream")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}

func proxyClosed(w http.ResponseWriter, r *http.Request) {
	client := &http.Client{Transport: cleanhttp.DefaultPooledTransport()}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://upstream")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}

func proxyNoKeepAlive(w http.ResponseWriter, r *http.Request) {
	t := cleanhttp.DefaultPooledTransport()
	t.DisableKeepAlives = true
	client := &http.Client{Transport: t}
	resp, err := client.Get("http://upstream")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}

type server struct{ client *http.Client }

func newServer() *server {
	return &server{client: &http.Client{Transport: cleanhttp.DefaultPooledTransport()}}
}
"""


def test_a_held_resource_from_the_config(tmp_path: Path, run_cli) -> None:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "svc.go").write_text(SERVICE)
    (tmp_path / ".goplumber.yaml").write_text(CONFIG)
    code, out, err = run_cli("check", "--no-cache", "--select", "unclosed-client", "--format", "json", str(tmp_path))
    assert code == 1, err
    found = [(f["line"], f["message"]) for f in json.loads(out)["findings"]]
    assert found == [
        (
            11,
            "the result from cleanhttp.DefaultPooledTransport is never released (CloseIdleConnections, on it or on "
            "client holding it): proxy creates one on every request and leaks it",
        )
    ]


def test_without_the_config_it_is_not_a_resource(tmp_path: Path, run_cli) -> None:
    (tmp_path / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (tmp_path / "svc.go").write_text(SERVICE)
    code, out, err = run_cli("check", "--no-cache", "--select", "unclosed-client", "--format", "json", str(tmp_path))
    assert code == 0, err
    assert json.loads(out)["findings"] == []
