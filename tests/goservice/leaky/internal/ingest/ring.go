// Package ingest keeps the most recent record prefixes in a fixed-size ring: a bounded twin
// of the leaky cache (it holds copies, at most Size of them).
package ingest

import "sync"

// Size is how many prefixes the ring keeps.
const Size = 32

// Ring keeps the last Size prefixes.
type Ring struct {
	mu    sync.Mutex
	items [Size][]byte
	next  int
}

// Put keeps p (the caller hands over a copy).
func (r *Ring) Put(p []byte) {
	r.mu.Lock()
	r.items[r.next%Size] = p
	r.next++
	r.mu.Unlock()
}

// Len is how many prefixes the ring holds.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return min(r.next, Size)
}
