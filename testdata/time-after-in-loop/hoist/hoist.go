package hoist

import (
	"errors"
	"time"
)

type Msg struct{ Body []byte }

type Server struct {
	idle  time.Duration
	queue chan Msg
}

func handle(Msg) {}

var errIdle = errors.New("idle")

// Fixed: the classic for/select with a constant timeout.
func consume(in <-chan Msg) error {
	for {
		select {
		case m := <-in:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(5 * time.Minute):
			return errIdle
		}
	}
}

// Fixed: a receive into a variable, a duration from a parameter, a labelled loop.
func watch(in <-chan Msg, d time.Duration) (last time.Time) {
	// the comment stays with the loop
poll:
	for {
		select {
		case m, ok := <-in:
			if !ok {
				break poll
			}
			handle(m)
		// ruleid: time-after-in-loop
		case now := <-time.After(d):
			last = now
		}
	}
	return last
}

// Fixed: a field read in the loop but never assigned there; a multi-line call.
func (s *Server) run() {
	for {
		select {
		case m := <-s.queue:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(
			s.idle,
		):
			s.flush()
		}
	}
}

func (s *Server) flush() {}

// Fixed: the name `timer` is taken, so the timer is `t`.
func withTimerName(in <-chan Msg, timer func()) {
	for {
		select {
		case m := <-in:
			handle(m)
			timer()
		// ruleid: time-after-in-loop
		case <-time.After(time.Minute):
		}
	}
}

// Fixed: the loop runs in a goroutine; the deferred Stop goes into the literal.
func (s *Server) start(d time.Duration) {
	go func() {
		for {
			select {
			case m := <-s.queue:
				handle(m)
			// ruleid: time-after-in-loop
			case <-time.After(d * 2):
				s.flush()
			}
		}
	}()
}

// Fixed: a range loop.
func forward(items []Msg, out chan<- Msg, d time.Duration) {
	for _, it := range items {
		select {
		case out <- it:
		// ruleid: time-after-in-loop
		case <-time.After(d):
		}
	}
}

// Not fixed: both names are taken.
func bothTaken(in <-chan Msg, timer, t func()) {
	for {
		select {
		case m := <-in:
			handle(m)
			timer()
			t()
		// ruleid: time-after-in-loop
		case <-time.After(time.Minute):
		}
	}
}

// Not fixed: the duration changes in the loop (a back-off).
func backoff(in <-chan Msg) {
	d := time.Second
	for {
		select {
		case m := <-in:
			handle(m)
			d = time.Second
		// ruleid: time-after-in-loop
		case <-time.After(d):
			d *= 2
		}
	}
}

// Not fixed: the duration is computed by a call each time round.
func untilDeadline(in <-chan Msg, deadline time.Time) {
	for {
		select {
		case m := <-in:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(time.Until(deadline)):
		}
	}
}

// Not fixed: the duration is a variable of the loop body.
func perMessage(in <-chan Msg) {
	for {
		wait := time.Minute
		select {
		case m := <-in:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(wait):
		}
	}
}

// Not fixed: the loop is itself in a loop, where a deferred Stop would pile up.
func nested(groups [][]Msg, in <-chan Msg) {
	for range groups {
		for {
			select {
			case m := <-in:
				handle(m)
			// ruleid: time-after-in-loop
			case <-time.After(time.Hour):
			}
		}
	}
}

// Not fixed: the select is not a statement of the loop body itself.
func conditional(in <-chan Msg, wait bool) {
	for {
		if wait {
			select {
			case m := <-in:
				handle(m)
			// ruleid: time-after-in-loop
			case <-time.After(time.Hour):
			}
		}
	}
}

// Not fixed: the channel is kept in a variable, not a select case.
func viaVariable(in <-chan Msg) {
	for {
		// ruleid: time-after-in-loop
		timeout := time.After(time.Hour)
		select {
		case m := <-in:
			handle(m)
		case <-timeout:
		}
	}
}

// Not fixed: two timers in one loop; which to hoist is a human decision.
func twoTimers(in <-chan Msg, out chan<- Msg) {
	for {
		select {
		case m := <-in:
			select {
			case out <- m:
			// ruleid: time-after-in-loop
			case <-time.After(time.Minute):
			}
		// ruleid: time-after-in-loop
		case <-time.After(time.Hour):
		}
	}
}

// Not fixed: a NewTimer per iteration is not a time.After select case.
func newTimerEach(in <-chan Msg) {
	for {
		// ruleid: time-after-in-loop
		t := time.NewTimer(time.Hour)
		select {
		case m := <-in:
			handle(m)
		case <-t.C:
		}
	}
}
