// Package rpc keeps per-connection reader and writer goroutines, blocked on channel receives.
package rpc

import "sync"

// Conn is one client connection with its two loops.
type Conn struct {
	in, out chan []byte
	mu      sync.Mutex
}

// Dial starts the two loops of a new connection.
func Dial(ready chan<- struct{}) *Conn {
	c := &Conn{in: make(chan []byte), out: make(chan []byte)}
	go c.readLoop(ready)
	go c.writeLoop(ready)
	return c
}

func (c *Conn) readLoop(ready chan<- struct{}) {
	ready <- struct{}{}
	for b := range c.in {
		_ = b
	}
}

func (c *Conn) writeLoop(ready chan<- struct{}) {
	ready <- struct{}{}
	for b := range c.out {
		c.mu.Lock()
		_ = b
		c.mu.Unlock()
	}
}
