package timeafter

import (
	"context"
	"errors"
	"time"
)

type Msg struct{ Body []byte }

func handle(Msg) {}

// Positive: the classic for/select with a long timeout.
func consume(in <-chan Msg) error {
	for {
		select {
		case m := <-in:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(5 * time.Minute):
			return errors.New("idle")
		}
	}
}

// Positive: range loop, timer per element.
func forward(items []Msg, out chan<- Msg) {
	for _, it := range items {
		select {
		case out <- it:
		// ruleid: time-after-in-loop
		case <-time.After(time.Second):
		}
	}
}

// Negative: a back-off wait: the other case returns, so the loop only comes round again after
// the timer fired; no timer outlives its iteration.
func retry(ctx context.Context, op func() error) error {
	for i := 0; i < 10; i++ {
		// ok: time-after-in-loop
		timeout := time.After(30 * time.Second)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
		}
		if op() == nil {
			return nil
		}
	}
	return errors.New("gave up")
}

// Positive: condition-only loop.
func waitReady(ready func() bool, notify <-chan struct{}) {
	for !ready() {
		select {
		case <-notify:
		// ruleid: time-after-in-loop
		case <-time.After(time.Minute):
		}
	}
}

// Positive: select inside a labelled loop, multi-line call.
func drain(ch <-chan int) {
outer:
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				break outer
			}
		// ruleid: time-after-in-loop
		case <-time.After(
			10 * time.Second,
		):
			break outer
		}
	}
}

// Positive: a goroutine started per iteration runs time.After each time.
func fanOut(jobs []Msg, done chan struct{}) {
	for _, j := range jobs {
		go func(m Msg) {
			select {
			case <-done:
			// ruleid: time-after-in-loop
			case <-time.After(time.Hour):
				handle(m)
			}
		}(j)
	}
}

// Positive: time.NewTimer per iteration, never stopped.
func pollNewTimer(in <-chan Msg) {
	for {
		// ruleid: time-after-in-loop
		t := time.NewTimer(time.Minute)
		select {
		case m := <-in:
			handle(m)
		case <-t.C:
		}
	}
}

// Negative: the timer is created once and reset.
func consumeReset(in <-chan Msg) error {
	// ok: time-after-in-loop
	idle := time.NewTimer(5 * time.Minute)
	defer idle.Stop()
	for {
		select {
		case m := <-in:
			handle(m)
			idle.Reset(5 * time.Minute)
		case <-idle.C:
			return errors.New("idle")
		}
	}
}

// Negative: a blocking receive waits for the timer to fire; nothing outlives the iteration.
func tick(f func()) {
	for {
		f()
		// ok: time-after-in-loop
		<-time.After(time.Second)
	}
}

// Negative: not in a loop.
func once(in <-chan Msg) {
	select {
	case m := <-in:
		handle(m)
	// ok: time-after-in-loop
	case <-time.After(time.Second):
	}
}

// Negative: NewTimer in a loop, stopped every iteration.
func pollStopped(in <-chan Msg) {
	for {
		// ok: time-after-in-loop
		t := time.NewTimer(time.Minute)
		select {
		case m := <-in:
			handle(m)
		case <-t.C:
		}
		t.Stop()
	}
}

// Negative: the loop is in the range expression, evaluated once.
func rangeOnce() {
	// ok: time-after-in-loop
	for range time.After(time.Second) {
	}
}

// Negative: a func literal stored in a loop is not run by the loop.
func handlers(names []string) map[string]func() {
	out := map[string]func(){}
	for _, n := range names {
		out[n] = func() {
			select {
			// ok: time-after-in-loop
			case <-time.After(time.Second):
			}
		}
	}
	return out
}

// Negative: time.AfterFunc is a different API (one timer, stopped by the caller).
func schedule(items []Msg) []*time.Timer {
	var ts []*time.Timer
	for _, it := range items {
		it := it
		// ok: time-after-in-loop
		ts = append(ts, time.AfterFunc(time.Second, func() { handle(it) }))
	}
	return ts
}

// Negative: a method named After on something else.
type clock struct{}

func (clock) After(d time.Duration) <-chan time.Time { return nil }

func fake(c clock, in <-chan Msg) {
	for {
		select {
		case <-in:
		// ok: time-after-in-loop
		case <-c.After(time.Second):
		}
	}
}

// Negative: time.Sleep-style wait assigned and received immediately, inside a loop.
func pace(items []Msg) {
	for _, it := range items {
		handle(it)
		// ok: time-after-in-loop
		<-time.After(10 * time.Millisecond)
	}
}

// Negative: the timer is stopped by a deferred call in a per-iteration closure.
func perItem(items []Msg, in <-chan Msg) {
	for range items {
		func() {
			// ok: time-after-in-loop
			t := time.NewTimer(time.Second)
			defer t.Stop()
			select {
			case <-in:
			case <-t.C:
			}
		}()
	}
}

// Positive: timeout in a variable, and a case that goes round the loop again.
func pump(in <-chan Msg, out chan<- Msg) {
	for {
		// ruleid: time-after-in-loop
		deadline := time.After(time.Minute)
		select {
		case m := <-in:
			out <- m
		case <-deadline:
			return
		}
	}
}

// Negative: the wait's other case panics.
func mustWait(done <-chan struct{}) {
	for i := 0; i < 3; i++ {
		select {
		case <-done:
			panic("closed")
		// ok: time-after-in-loop
		case <-time.After(time.Second):
		}
	}
}

// Positive: a `break` inside select only leaves the select, so the loop goes round again.
func breakSelect(done <-chan struct{}) {
	for {
		select {
		case <-done:
			break
		// ruleid: time-after-in-loop
		case <-time.After(time.Hour):
			return
		}
	}
}

// Negative: a timer channel kept in a field and only created when unset.
type batcher struct{ timer <-chan time.Time }

func (b *batcher) loop(in <-chan Msg) {
	for m := range in {
		handle(m)
		if b.timer == nil {
			// ok: time-after-in-loop
			b.timer = time.After(time.Second)
		}
	}
}

// Negative: whichever case fires, the function returns right after the select.
func waitStart(ready <-chan struct{}, checks func() bool) error {
	for {
		if checks() {
			select {
			case <-ready:
			// ok: time-after-in-loop
			case <-time.After(time.Second):
				return errors.New("not ready")
			}
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Negative: a pool hands out timers; the caller owns them.
type timerPool struct{ free []*time.Timer }

func (p *timerPool) Get(d time.Duration) *time.Timer {
	if n := len(p.free); n > 0 {
		t := p.free[n-1]
		p.free = p.free[:n-1]
		t.Reset(d)
		return t
	}
	// ok: time-after-in-loop
	return time.NewTimer(d)
}

func (p *timerPool) use(items []Msg) {
	for range items {
		t := p.Get(time.Second)
		<-t.C
	}
}

// Negative: a lease re-armed only when the previous one fired.
func leaseLoop(in <-chan Msg, check func() bool) {
	lease := time.After(time.Second)
	for {
		select {
		case m := <-in:
			handle(m)
		case <-lease:
			if !check() {
				return
			}
			// ok: time-after-in-loop
			lease = time.After(time.Second)
		}
	}
}

// Negative: the other case is a shutdown signal.
func healthLoop(done <-chan struct{}, probe func()) {
	for {
		probe()
		select {
		// ok: time-after-in-loop
		case <-time.After(100 * time.Millisecond):
		case <-done:
		}
	}
}

// Negative: a flush timeout created on the shutdown path, which returns.
func snapshotLoop(in <-chan Msg, shutdown <-chan struct{}, flush func(<-chan time.Time)) {
	for {
		select {
		case m := <-in:
			handle(m)
		case <-shutdown:
			// ok: time-after-in-loop
			timeout := time.After(time.Second)
			flush(timeout)
			return
		}
	}
}

// Positive: re-armed on every event, while the previous timer is still pending.
func coalesce(in <-chan Msg, out chan<- []Msg) {
	var batch []Msg
	var quiet <-chan time.Time
	for {
		select {
		case m := <-in:
			batch = append(batch, m)
			// ruleid: time-after-in-loop
			quiet = time.After(time.Second)
		case <-quiet:
			out <- batch
			batch = nil
		}
	}
}
