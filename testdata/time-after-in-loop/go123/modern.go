package modern

import "time"

// Go 1.23 collects unreferenced timers: at most allocation churn, reported as info.
// (The fixture harness counts every severity: this line is an expected finding.)
func consume(in <-chan int) {
	for {
		select {
		case <-in:
		// ruleid: time-after-in-loop
		case <-time.After(time.Minute):
		}
	}
}
