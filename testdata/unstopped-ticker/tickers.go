package tickers

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// Positive: a heartbeat ticker made on every call and never stopped.
func beat(quit <-chan struct{}) {
	// ruleid: unstopped-ticker
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
	}
}

// Positive: a flusher returns when its input closes, leaving the ticker running.
func flusher(in <-chan []byte, flush func()) {
	// ruleid: unstopped-ticker
	every := time.NewTicker(500 * time.Millisecond)
	for {
		select {
		case _, ok := <-in:
			if !ok {
				return
			}
		case <-every.C:
			flush()
		}
	}
}

// Positive: one ticker per probed host, none stopped.
func probeAll(hosts []string, probe func(string)) {
	for _, h := range hosts {
		// ruleid: unstopped-ticker
		t := time.NewTicker(time.Second)
		for i := 0; i < 3; i++ {
			<-t.C
			probe(h)
		}
	}
}

// Positive: time.Tick in a goroutine started for every accepted connection.
type session struct{ c net.Conn }

func newSession(c net.Conn) *session {
	s := &session{c: c}
	go func() {
		// ruleid: unstopped-ticker
		for range time.Tick(15 * time.Second) {
			if _, err := s.c.Write([]byte("ping")); err != nil {
				return
			}
		}
	}()
	return s
}

func serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		newSession(c)
	}
}

// Positive: time.Tick per HTTP request (a streaming endpoint).
func stream(w http.ResponseWriter, r *http.Request) {
	// ruleid: unstopped-ticker
	tick := time.Tick(time.Second)
	for {
		select {
		case <-r.Context().Done():
			return
		case now := <-tick:
			fmt.Fprintln(w, now)
		}
	}
}

// Positive: a method run per subscription waits on time.Tick.
type hub struct{}

func (h *hub) follow(ctx context.Context, send func() error) {
	// ruleid: unstopped-ticker
	tc := time.Tick(time.Minute)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tc:
			if send() != nil {
				return
			}
		}
	}
}

// Positive: the Stop at the end is skipped by the early return on a failed dial.
func measure(addr string) error {
	// ruleid: unstopped-ticker
	t := time.NewTicker(time.Second)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		<-t.C
		_, _ = c.Write([]byte("x"))
	}
	t.Stop()
	return c.Close()
}

// Positive: stopped only when something failed.
func retryEvery(try func() error) error {
	// ruleid: unstopped-ticker
	t := time.NewTicker(time.Second)
	for range t.C {
		if err := try(); err != nil {
			t.Stop()
			return err
		}
	}
	return nil
}

// Positive: logging the ticker does not stop it.
func debugTicker() {
	// ruleid: unstopped-ticker
	t := time.NewTicker(time.Hour)
	log.Println(t)
}

// Positive: the result is dropped on the floor.
func dropped() {
	// ruleid: unstopped-ticker
	time.NewTicker(time.Second)
}

// Positive: a Stop deferred only after a check that can return first.
func pump(ctx context.Context, ready func() bool, step func()) error {
	// ruleid: unstopped-ticker
	t := time.NewTicker(time.Second)
	if !ready() {
		return errors.New("not ready")
	}
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			step()
		}
	}
}

// Negative: stopped when the function returns.
func beatStopped(quit <-chan struct{}) {
	// ok: unstopped-ticker
	t := time.NewTicker(time.Second)
	defer t.Stop()
	<-quit
}

// Negative: stopped in a deferred closure.
func beatClosure(quit <-chan struct{}) {
	// ok: unstopped-ticker
	t := time.NewTicker(time.Second)
	defer func() {
		t.Stop()
		log.Print("stopped")
	}()
	<-quit
}

// Negative: handed to the caller, who stops it.
func newBeat() *time.Ticker {
	// ok: unstopped-ticker
	return time.NewTicker(time.Second)
}

// Negative: kept in a field and stopped by Close.
type poller struct{ t *time.Ticker }

func (p *poller) start() {
	// ok: unstopped-ticker
	p.t = time.NewTicker(time.Second)
}

func (p *poller) Close() { p.t.Stop() }

// Negative: time.Tick in main runs once per process.
func main() {
	startJanitor()
	d := &discoverer{every: time.Minute, quit: make(chan struct{})}
	go d.poll()
	// ok: unstopped-ticker
	for range time.Tick(time.Minute) {
		log.Print("alive")
	}
}

// Negative: a package-level ticker lives for the process anyway.
// ok: unstopped-ticker
var everyMinute = time.Tick(time.Minute)

// Negative: a reporter goroutine started from init.
func init() {
	go func() {
		// ok: unstopped-ticker
		for range time.Tick(time.Hour) {
			log.Print("report")
		}
	}()
}

// Negative: a helper only main calls runs once.
func startJanitor() {
	go func() {
		// ok: unstopped-ticker
		for range time.Tick(time.Hour) {
			log.Print("sweep")
		}
	}()
}

// Negative: the goroutine that owns the ticker stops it.
func background(ctx context.Context) {
	// ok: unstopped-ticker
	t := time.NewTicker(time.Second)
	go func() {
		<-ctx.Done()
		t.Stop()
	}()
}

// Negative: a command-line action runs once per process.
func watchCmd(cmd *cobra.Command, args []string) {
	// ok: unstopped-ticker
	for range time.Tick(time.Second) {
		fmt.Fprintln(cmd.OutOrStdout(), "tick")
	}
}

// Negative: the error return comes before the ticker exists.
func measureLater(addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	// ok: unstopped-ticker
	t := time.NewTicker(time.Second)
	<-t.C
	t.Stop()
	return c.Close()
}

// Negative: a loop over time.Tick with no way out uses the ticker for as long as its goroutine
// runs; the ticker outlives nothing.
func (h *hub) refreshForever(refresh func()) {
	// ok: unstopped-ticker
	for range time.Tick(time.Minute) {
		refresh()
	}
}

// Positive: the same loop, but a failed refresh ends it and the ticker keeps firing.
func (h *hub) refreshUntilError(refresh func() error) {
	// ruleid: unstopped-ticker
	for range time.Tick(time.Minute) {
		if refresh() != nil {
			break
		}
	}
}

// Negative: a method only main calls (on a local variable) runs once per process.
type discoverer struct {
	every time.Duration
	quit  chan struct{}
}

func (d *discoverer) poll() {
	// ok: unstopped-ticker
	tick := time.Tick(d.every)
	for {
		select {
		case <-tick:
			log.Print("refresh")
		case <-d.quit:
			return
		}
	}
}

// Positive: a method started for every peer leaves its time.Tick behind when the peer goes.
func (h *hub) watchPeer(alive func() bool) {
	// ruleid: unstopped-ticker
	for range time.Tick(time.Second) {
		if !alive() {
			return
		}
	}
}

func (h *hub) watchAll(peers []func() bool) {
	for _, p := range peers {
		go h.watchPeer(p)
	}
}

// Negative: the ticker lives in a variable of the enclosing scope and is stopped before it is
// replaced; a `continue` of the pump loop keeps using it, and the exit stops it.
func pumpLoop(in <-chan []byte, reconfig <-chan time.Duration, write func([]byte) error) {
	flush := time.NewTicker(time.Second)
	for {
		select {
		case d := <-reconfig:
			flush.Stop()
			// ok: unstopped-ticker
			flush = time.NewTicker(d)
		case b := <-in:
			if len(b) == 0 {
				continue
			}
			if write(b) != nil {
				goto done
			}
		case <-flush.C:
		}
	}
done:
	flush.Stop()
}

// Negative (reduced from a service registry's push centre): a ticker that drives a loop nothing
// leaves is in use for as long as its goroutine runs; stopping it would need a way out first.
type pushCenter struct{ clean func() }

func (p *pushCenter) cleanZombies() {
	// ok: unstopped-ticker
	ticker := time.NewTicker(time.Minute)
	for range ticker.C {
		p.clean()
	}
}

// Positive: the same loop with a way out leaves the ticker running behind it.
func (p *pushCenter) cleanUntil(done <-chan struct{}) {
	// ruleid: unstopped-ticker
	ticker := time.NewTicker(time.Minute)
	for {
		select {
		case <-ticker.C:
			p.clean()
		case <-done:
			return
		}
	}
}
