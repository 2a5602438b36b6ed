// Package kv is a stand-in for a key-value store SDK with etcd-style watches: every Watch
// starts a goroutine that delivers events until the watch's context is cancelled.
package kv

import (
	"context"
	"sync"
)

// Event is one change of a watched key.
type Event struct {
	Key   string
	Value string
}

// Store is a client of the store.
type Store struct {
	mu      sync.Mutex
	version int
}

// Open returns a store client.
func Open() *Store { return &Store{} }

// Watch delivers the changes of key until ctx is done.
func (s *Store) Watch(ctx context.Context, key string) <-chan Event {
	ch := make(chan Event, 1)
	s.mu.Lock()
	s.version++
	v := s.version
	s.mu.Unlock()
	go func() {
		defer close(ch)
		select {
		case ch <- Event{Key: key, Value: string(rune('a' + v%26))}:
		case <-ctx.Done():
			return
		}
		<-ctx.Done()
	}()
	return ch
}
