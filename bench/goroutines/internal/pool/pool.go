// Package pool has a fixed set of workers waiting on a condition variable, and a few sleepers.
package pool

import (
	"sync"
	"time"
)

// Workers starts n workers parked in sync.Cond.Wait and n/4 sleepers.
func Workers(n int, ready chan<- struct{}) {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	for i := 0; i < n; i++ {
		go func() {
			mu.Lock()
			ready <- struct{}{}
			cond.Wait()
			mu.Unlock()
		}()
	}
	for i := 0; i < n/4; i++ {
		go func() {
			ready <- struct{}{}
			time.Sleep(time.Hour)
		}()
	}
}
