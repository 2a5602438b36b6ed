package timeafter

import (
	"context"
	"time"
)

// Positive: a for/select loop inside a goroutine.
func startWorker(in <-chan Msg) {
	go func() {
		for {
			select {
			case m := <-in:
				handle(m)
			// ruleid: time-after-in-loop
			case <-time.After(30 * time.Second):
			}
		}
	}()
}

func waitFor(in <-chan Msg, timeout <-chan time.Time) bool {
	select {
	case <-in:
		return true
	case <-timeout:
		return false
	}
}

// Positive: handed to a helper on every iteration.
func pumpWithHelper(in <-chan Msg, items []Msg) {
	for range items {
		// ruleid: time-after-in-loop
		if !waitFor(in, time.After(time.Minute)) {
			return
		}
	}
}

// Positive: a labelled loop with continue.
func labelled(in <-chan Msg) {
outer:
	for {
		select {
		case m := <-in:
			if m.Body == nil {
				continue outer
			}
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(time.Hour):
			break outer
		}
	}
}

type Server struct{ in chan Msg }

func (s *Server) tick() {
	select {
	case m := <-s.in:
		handle(m)
	// ruleid: time-after-in-loop
	case <-time.After(5 * time.Second):
	}
}

func (s *Server) step() { s.tick() }

// Positive (two calls away): run -> step -> tick, every ticker tick.
func (s *Server) run(t *time.Ticker) {
	for range t.C {
		s.step()
	}
}

// Positive: the timeout of a per-item context-free wait in a range loop.
func forwardAll(items []Msg, out chan<- Msg) {
	for _, it := range items {
		select {
		case out <- it:
			continue
		// ruleid: time-after-in-loop
		case <-time.After(time.Second):
		}
	}
}

// Negative: context.WithTimeout per iteration, cancelled.
func withCtx(ctx context.Context, items []Msg, send func(context.Context, Msg) error) {
	for _, it := range items {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		// ok: time-after-in-loop
		_ = send(cctx, it)
		cancel()
	}
}

// Negative: a quantum timer started only when none is running.
func quantum(in <-chan Msg, flush func()) {
	var q <-chan time.Time
	for {
		select {
		case m := <-in:
			handle(m)
			if q == nil {
				// ok: time-after-in-loop
				q = time.After(time.Second)
			}
		case <-q:
			flush()
			q = nil
		}
	}
}
