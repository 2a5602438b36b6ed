package modern

import "time"

// Go 1.23 collects unreferenced timers: at most allocation churn, not a leak. Silent by
// default; `--hints` reports it at info level (tests/test_cli.py checks that).
func consume(in <-chan int) {
	for {
		select {
		case <-in:
		// ok: time-after-in-loop
		case <-time.After(time.Minute):
		}
	}
}
