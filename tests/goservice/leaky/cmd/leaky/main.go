// Command leaky is a small HTTP service with planted leaks (and bounded twins of each), for
// goplumber's runtime triage tests. It prints "listening on http://HOST:PORT" once it serves.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/leaky/internal/server"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	reload := flag.Duration("reload", time.Second, "how often the feature flags are re-read")
	endpoint := flag.String("endpoint", "config.internal:443", "configuration backend")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	s := server.New(*endpoint)
	go s.Reload(ctx, *reload)
	go s.ReloadBounded(ctx, *reload)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	fmt.Printf("listening on http://%s\n", ln.Addr())
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
	log.Print(s.Stats())
}
