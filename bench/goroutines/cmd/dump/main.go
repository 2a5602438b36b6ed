// Command dump starts -n goroutines in the shapes a leaking service shows (watch loops of
// varying depth, connection loops, a worker pool, sleepers) and writes the goroutine profile
// with -debug 2 (or 1, or 0 for protobuf) to -out: the input of goplumber's triage benchmark.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"example.com/benchgoroutines/internal/pool"
	"example.com/benchgoroutines/internal/rpc"
	"example.com/benchgoroutines/internal/watch"
)

func main() {
	n := flag.Int("n", 30000, "goroutines to start (about)")
	debug := flag.Int("debug", 2, "pprof debug level of the dump")
	out := flag.String("out", "goroutines.txt", "output file")
	flag.Parse()

	ready := make(chan struct{}, 1024)
	started := 0
	wait := func(k int) {
		for i := 0; i < k; i++ {
			<-ready
		}
		started += k
	}
	// 60%: watches, 1 to 12 frames deep, on 16 keys
	ctx := context.Background()
	for i := 0; i < *n*6/10; i++ {
		watch.Start(ctx, "/config/"+string(rune('a'+i%16)), i%12, ready)
		if i%512 == 511 {
			wait(512)
		}
	}
	wait(*n*6/10 - started)
	// 30%: connections, two loops each
	var conns []*rpc.Conn
	for i := 0; i < *n*3/20; i++ {
		conns = append(conns, rpc.Dial(ready))
		if i%256 == 255 {
			wait(512)
		}
	}
	wait(*n*6/10 + 2*(*n*3/20) - started)
	// the rest: a pool and sleepers
	w := (*n - started) * 4 / 5
	pool.Workers(w, ready)
	wait(w + w/4)
	time.Sleep(50 * time.Millisecond) // let the last ones park
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, *debug); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d goroutines, %d connections, dump in %s", runtime.NumGoroutine(), len(conns), *out)
}
