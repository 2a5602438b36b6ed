package timeafter

import (
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Shapes reduced from real services. Each negative is a loop that does not repeat for the
// life of the process, or a wait whose timer is the normal way out.

const maxAttempts = 5

// Negative: a counted retry budget holds at most maxAttempts timers.
func registerWithRetry(results <-chan error) {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		select {
		case err := <-results:
			if err == nil {
				return
			}
		// ok: time-after-in-loop
		case <-time.After(3 * time.Minute):
		}
	}
}

// Negative: a condition loop over a counter the body steps (wait for n confirmations).
func awaitConfirmations(acks <-chan struct{}, n int) {
	for received := 0; received < n; {
		select {
		case <-acks:
			received++
		// ok: time-after-in-loop
		case <-time.After(2 * time.Second):
			received = n
		}
	}
}

// Negative: the same with a `for cond` loop.
func drainAcks(acks <-chan struct{}, n int) {
	got := 0
	for got < n {
		select {
		case <-acks:
			got++
		// ok: time-after-in-loop
		case <-time.After(time.Minute):
			return
		}
	}
}

type acceptor struct {
	quit chan struct{}
	conn chan Msg
}

// Negative: a back-off sleep that only shutdown interrupts. Called from the accept loop,
// but every call waits for its timer to fire, so timers never pile up.
func (a *acceptor) sleepBeforeRetry(delay time.Duration) bool {
	select {
	// ok: time-after-in-loop
	case <-time.After(delay):
		return true
	case <-a.quit:
		return false
	}
}

func (a *acceptor) acceptLoop(accept func() (Msg, error)) {
	delay := 10 * time.Millisecond
	for {
		m, err := accept()
		if err != nil {
			if !a.sleepBeforeRetry(delay) {
				return
			}
			delay *= 2
			continue
		}
		a.conn <- m
	}
}

// Positive: called from the same loop, but the timer races a busy channel: abandoned each time.
func (a *acceptor) forward(m Msg, out chan<- Msg) {
	select {
	case out <- m:
	// ruleid: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

func (a *acceptor) pump(out chan<- Msg) {
	for m := range a.conn {
		a.forward(m, out)
	}
}

// Negative: shutdown code reached from a signal loop; the process exits after it.
func (a *acceptor) shutdown() {
	close(a.quit)
	select {
	case <-a.conn:
	// ok: time-after-in-loop
	case <-time.After(10 * time.Second):
	}
}

// Negative: SIGHUP reload code; the loop turns on operator signals, not on traffic.
func (a *acceptor) reload() {
	select {
	case <-a.conn:
	// ok: time-after-in-loop
	case <-time.After(30 * time.Second):
	}
}

func (a *acceptor) handleSignals() {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		for {
			select {
			case sig := <-sigs:
				if sig == syscall.SIGHUP {
					a.reload()
					continue
				}
				a.shutdown()
				os.Exit(0)
			case <-a.quit:
				return
			}
		}
	}()
}

// Negative: a sub-second literal timeout is freed within the second.
func pollFast(in <-chan Msg) {
	for {
		select {
		case m := <-in:
			handle(m)
		// ok: time-after-in-loop
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Positive: a named sub-second constant is still a duration the rule cannot see.
func pollNamed(in <-chan Msg, idle time.Duration) {
	for {
		select {
		case m := <-in:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(idle):
			log.Print("idle")
		}
	}
}

// Negative: the caller's pass over its configured nodes stops each once.
func stopNode(done <-chan struct{}) {
	select {
	case <-done:
	// ok: time-after-in-loop
	case <-time.After(10 * time.Second):
		log.Print("node did not stop")
	}
}

func stopAll(nodes []chan struct{}) {
	for _, n := range nodes {
		stopNode(n)
	}
}

// Positive: a timer hoisted out of the loop is the fix; here it is still made per iteration.
func batchLoop(in <-chan Msg) {
	for {
		t := time.NewTimer(time.Minute)
		select {
		case m := <-in:
			handle(m)
		// ruleid: time-after-in-loop
		case <-time.After(time.Minute):
		case <-t.C:
		}
		t.Stop()
	}
}

// Negative: the recommended fix: one timer, Reset per iteration.
func batchLoopFixed(in <-chan Msg) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case m := <-in:
			handle(m)
			if !t.Stop() {
				<-t.C
			}
			t.Reset(time.Minute)
		case <-t.C:
			return
		}
	}
}

// Negative: only a test calls this in a loop (see services_test.go).
func waitOnce(in <-chan Msg) {
	select {
	case m := <-in:
		handle(m)
	// ok: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

// Receivers resolved by declared type: `w := newPoller()` is a *poller, so w.tick() is
// poller.tick, called every iteration.
type poller struct{ in chan Msg }

func newPoller() *poller { return &poller{in: make(chan Msg)} }

func (p *poller) tick() {
	select {
	case m := <-p.in:
		handle(m)
	// ruleid: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

func runPoller() {
	w := newPoller()
	for {
		w.tick()
	}
}

// Negative: another type's tick runs in the loop; reporter.tick is only called once.
type reporter struct{ in chan Msg }

func (r *reporter) tick() {
	select {
	case m := <-r.in:
		handle(m)
	// ok: time-after-in-loop
	case <-time.After(time.Minute):
	}
}

func runOther(r *reporter) {
	r.tick()
	x := &poller{in: r.in}
	for {
		x.tick()
	}
}

// Negative: a retry goroutine that sleeps between attempts; called from a request loop, each
// goroutine waits for its own timer (one at a time), nothing piles up.
func newRetryTicks(done <-chan struct{}, attempts int) <-chan int {
	ch := make(chan int)
	go func() {
		defer close(ch)
		for i := 0; i < attempts; i++ {
			select {
			case ch <- i:
			case <-done:
				return
			}
			select {
			// ok: time-after-in-loop
			case <-time.After(time.Duration(1<<i) * time.Second):
			case <-done:
				return
			}
		}
	}()
	return ch
}

func executeAll(reqs <-chan Msg, done <-chan struct{}) {
	for range reqs {
		for range newRetryTicks(done, 3) {
		}
	}
}

// Negative: a back-off in a dispatcher whose other case is the consumer dying.
type dispatcher struct {
	trigger chan struct{}
	dying   chan struct{}
}

func (d *dispatcher) run(backoff time.Duration) {
	for range d.trigger {
		select {
		case <-d.dying:
			close(d.trigger)
		// ok: time-after-in-loop
		case <-time.After(backoff):
		}
	}
}

// Positive: `defer t.Stop()` inside the loop runs when the function returns, not per iteration.
func deferredStop(in <-chan Msg) {
	for {
		// ruleid: time-after-in-loop
		t := time.NewTimer(time.Minute)
		defer t.Stop()
		select {
		case m := <-in:
			handle(m)
		case <-t.C:
		}
	}
}

// Negative: stopped at the end of every iteration.
func stoppedEachTime(in <-chan Msg) {
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

const sendTimeout = 10 * time.Millisecond

// Negative: the timeout is a package constant under a second.
func broadcast(watchers []chan Msg, m Msg, events <-chan Msg) {
	for ev := range events {
		for _, w := range watchers {
			select {
			case w <- ev:
			// ok: time-after-in-loop
			case <-time.After(sendTimeout):
			}
		}
	}
	_ = m
}

// Negative: the timer's channel is kept in a variable of the enclosing function, which later
// iterations select on: one timer per call, armed once when the request was written.
func awaitHeaders(written <-chan error, headers <-chan Msg, d time.Duration) error {
	var headerTimeout <-chan time.Time
	for {
		select {
		case err := <-written:
			if err != nil {
				return err
			}
			// ok: time-after-in-loop
			timer := time.NewTimer(d)
			defer timer.Stop()
			headerTimeout = timer.C
		case m := <-headers:
			handle(m)
			return nil
		case <-headerTimeout:
			return nil
		}
	}
}

// Positive: a handler racing a reply against a long timeout: an early reply leaves the timer
// alive for the rest of its 30 s, one per request.
type replies struct{ waiting chan Msg }

func (b *replies) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case m := <-b.waiting:
		handle(m)
	// ruleid: time-after-in-loop
	case <-time.After(30 * time.Second):
		w.WriteHeader(http.StatusGatewayTimeout)
	}
}

// Positive: the same through a helper the handler calls.
func (b *replies) await() (Msg, bool) {
	select {
	case m := <-b.waiting:
		return m, true
	// ruleid: time-after-in-loop
	case <-time.After(45 * time.Second):
		return Msg{}, false
	}
}

func (b *replies) serveAwait(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.await(); !ok {
		w.WriteHeader(http.StatusGatewayTimeout)
	}
}

// Negative: a handler that sleeps until its deadline or the client goes away.
func (b *replies) serveDelay(w http.ResponseWriter, r *http.Request) {
	select {
	// ok: time-after-in-loop
	case <-time.After(time.Second * 2):
	case <-r.Context().Done():
		return
	}
}
