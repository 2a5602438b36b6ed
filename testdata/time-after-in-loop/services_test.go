package timeafter

import "time"

// Test code calling production code in a loop says nothing about production: waitOnce is
// called only by this test.
func TestWaitOnce(in chan Msg) {
	for i := 0; ; i++ {
		waitOnce(in)
	}
}

var _ = time.Second
