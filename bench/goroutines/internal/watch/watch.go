// Package watch parks goroutines the way a config SDK's watch loop does: each one waits on a
// channel nobody sends on, a few calls deep.
package watch

import "context"

// Start parks one goroutine `depth` frames into the watch machinery.
func Start(ctx context.Context, key string, depth int, ready chan<- struct{}) {
	go loop(ctx, key, depth, ready)
}

func loop(ctx context.Context, key string, depth int, ready chan<- struct{}) {
	if depth > 0 {
		loop(ctx, key, depth-1, ready)
		return
	}
	events := make(chan string)
	ready <- struct{}{}
	select {
	case <-ctx.Done():
	case <-events:
	}
}
