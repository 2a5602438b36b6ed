// A small service with planted leaks and bounded controls. It serves requests in-process, then
// writes goroutine, goroutineleak, heap and metrics snapshots, serves more and writes them
// again (`go run . OUTDIR`). tests/data/triage/ holds its output; regenerate.sh remakes it.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"
)

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "svc", Name: "requests_total", Help: "Requests by path."}, []string{"path"})
	routes   = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "svc", Name: "route_total", Help: "Requests by route."}, []string{"route"})
	cache    sync.Map
	jobs     = make(chan int)
	ticks    = make(chan time.Time)
	reloaded = make(chan struct{})
	payload  = strings.Repeat("x", 32<<10)
	shared   *clientv3.Client
)

// leak: a client per request, never closed (its keep-alive goroutine stays)
func handleSecret(w http.ResponseWriter, r *http.Request) {
	requests.WithLabelValues(r.URL.Path).Inc()
	routes.WithLabelValues("secret").Inc()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:2379"}})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_ = cli
	remember(r.URL.Path, r.Body)
	for i := 0; i < 100; i++ {
		jobs <- i
	}
}

// leak: the cache keeps an 8-byte sub-slice and with it the whole 32 KiB body
func remember(id string, r io.Reader) {
	body, _ := io.ReadAll(io.LimitReader(r, 32<<10))
	cache.Store(id, body[:8])
}

// leak: a new watch on every call, never cancelled
func reload(ctx context.Context, cli *clientv3.Client) {
	ch := cli.Watch(ctx, "/config")
	_ = ch
}

// control: a fixed pool of workers (bounded); before Go 1.23 each time.After timer stays
// allocated until it fires
func worker(in <-chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Hour):
			return
		}
	}
}

// the reload loop: one reload per tick (the test feeds the ticks, a service has a time.Ticker)
func reloadLoop(ticks <-chan time.Time, done chan<- struct{}) {
	for range ticks {
		reload(context.Background(), shared)
		done <- struct{}{}
	}
}

func serve(from, n int) {
	for i := from; i < from+n; i++ {
		req := httptest.NewRequest(http.MethodPost, fmt.Sprintf("/secret/%d", i), strings.NewReader(payload))
		handleSecret(httptest.NewRecorder(), req)
		if i%3 == 0 {
			ticks <- time.Now()
			<-reloaded
		}
	}
}

func snapshot(dir, suffix string) {
	runtime.GC()
	write := func(name string, f func(*os.File) error) {
		out, err := os.Create(filepath.Join(dir, name+"."+suffix))
		if err != nil {
			panic(err)
		}
		defer out.Close()
		if err := f(out); err != nil {
			panic(err)
		}
	}
	for _, debug := range []int{0, 1, 2} {
		for _, profile := range []string{"goroutine", "goroutineleak"} {
			ext := map[int]string{0: "pb.gz", 1: "debug1.txt", 2: "debug2.txt"}[debug]
			write(profile+"-"+ext, func(f *os.File) error { return pprof.Lookup(profile).WriteTo(f, debug) })
		}
	}
	write("heap.pb.gz", func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) })
	write("metrics.txt", func(f *os.File) error { prometheus.WriteText(f); return nil })
}

func main() {
	runtime.MemProfileRate = 16 << 10
	for i := 0; i < 4; i++ {
		go worker(jobs)
	}
	var err error
	shared, err = clientv3.New(clientv3.Config{})
	if err != nil {
		panic(err)
	}
	defer shared.Close()
	go reloadLoop(ticks, reloaded)
	serve(0, 15)
	snapshot(os.Args[1], "1")
	serve(15, 45)
	snapshot(os.Args[1], "2")
}
