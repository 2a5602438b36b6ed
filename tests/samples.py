"""Go sources and file helpers the command-line tests share: one leak per rule shape they need,
so a change to what a rule reports is made in one place."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# one time-after-in-loop finding (line 9) on Go < 1.23
LEAK = """package a

import "time"

func f(in chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Minute):
		}
	}
}
"""

# one unclosed-client finding in an HTTP handler, and the same handler fixed
LEAKY = """package svc

import (
	"net/http"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
)

func handler(w http.ResponseWriter, r *http.Request) {
	client, err := secretmanager.NewClient(r.Context())
	if err != nil {
		return
	}
	_, _ = client.AccessSecretVersion(r.Context(), nil)
}
"""
FIXED = LEAKY.replace("\t_, _ = client.Access", "\tdefer client.Close()\n\t_, _ = client.Access")


# a watch started in one file of a package; the loop that repeats it is in a sibling file (the
# finding needs the package, not just the file)
WATCH_IN_HELPER = """package svc

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
)

func reload(ctx context.Context, cli *clientv3.Client) {
	ch := cli.Watch(ctx, "/config")
	go func() {
		for range ch {
		}
	}()
}
"""


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    """`tmp/name` with `text` (parents created)."""
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p
