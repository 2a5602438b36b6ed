package tickers

import "time"

type event struct{}

// Positive: `time.Tick` evaluated in a select inside the loop: a new ticker, never stopped,
// on every iteration (the select does not reuse the previous one).
func pumpEvents(in <-chan event, out chan<- event) {
	for {
		select {
		case e := <-in:
			out <- e
		// ruleid: unstopped-ticker
		case <-time.Tick(time.Minute):
		}
	}
}

// Negative: the ticker is created once, before the loop that uses it for the goroutine's life.
func heartbeat(out chan<- event) {
	// ok: unstopped-ticker
	tick := time.Tick(30 * time.Second)
	for {
		<-tick
		out <- event{}
	}
}
