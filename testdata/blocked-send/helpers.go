package senders

// Test support compiled into the package: a file that imports "testing" is not service code.

import (
	"testing"
	"time"
)

// Negative: a test helper compiled into the package (its file imports testing): not service code.
func StartTestServer(t testing.TB) {
	// ok: blocked-send
	up := make(chan error)
	go func() { up <- compute() }()
	select {
	case err := <-up:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("server did not start")
	}
}
