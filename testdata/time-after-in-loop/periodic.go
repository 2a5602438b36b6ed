package timeafter

import "time"

type Poller struct {
	in   chan Msg
	stop chan struct{}
}

// Positive (interprocedural): waitOne is called every iteration of run's ticker loop.
func (p *Poller) waitOne() {
	select {
	case m := <-p.in:
		handle(m)
	// ruleid: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

func (p *Poller) run() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for range t.C {
		p.waitOne()
	}
}

// Positive (two levels): step -> waitTwo, step called from a polling loop.
func waitTwo(in chan Msg) {
	select {
	case <-in:
	// ruleid: time-after-in-loop
	case <-time.After(time.Hour):
	}
}

func step(in chan Msg) { waitTwo(in) }

func pollForever(in chan Msg) {
	for {
		step(in)
		time.Sleep(time.Second)
	}
}

// Positive: scheduled by time.AfterFunc, which re-arms itself.
func rearm(in chan Msg) {
	select {
	case <-in:
	// ruleid: time-after-in-loop
	case <-time.After(time.Minute):
	}
	time.AfterFunc(time.Second, func() { rearm(in) })
}

func startRearm(in chan Msg) {
	time.AfterFunc(time.Second, func() { rearm(in) })
}

// Negative: time.AfterFunc runs its callback once (it does not re-arm): no loop.
func tickScheduled(in chan Msg) {
	select {
	case <-in:
	// ok: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

func startTick(in chan Msg) {
	time.AfterFunc(time.Second, tickScheduled)
	_ = in
}

// Negative: called once, from main-like setup code, not from a loop.
func waitStartup(in chan Msg) {
	select {
	case <-in:
	// ok: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

func setup(in chan Msg) { waitStartup(in) }

// Positive (interprocedural): the wait returns, but its caller's loop calls it again at once.
func waitOrGone(gone <-chan bool) {
	select {
	// ruleid: time-after-in-loop
	case <-time.After(time.Minute):
	case <-gone:
		return
	}
}

func serveAll(reqs <-chan chan bool) {
	for g := range reqs {
		waitOrGone(g)
	}
}

// Negative: the timer goes into a struct the caller owns.
type waiter struct{ t *time.Timer }

func newWaiter(d time.Duration) *waiter {
	// ok: time-after-in-loop
	t := time.NewTimer(d)
	return &waiter{t: t}
}

func pollWaiters(items []Msg) {
	for range items {
		w := newWaiter(time.Second)
		<-w.t.C
	}
}
