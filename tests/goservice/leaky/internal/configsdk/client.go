// Package configsdk is a stand-in for a vendor SDK client: every client owns a connection
// (here: a send loop and a receive loop, two goroutines) that only Close releases.
package configsdk

import (
	"context"
	"errors"
	"sync"
)

// Client talks to the (simulated) configuration backend.
type Client struct {
	endpoint string
	done     chan struct{}
	outbox   chan string // requests, to the send loop
	wire     chan string // the connection, from the send loop to the receive loop
	inbox    chan string // replies, from the receive loop
	once     sync.Once
}

// NewClient connects to the backend. The connection outlives ctx, which only bounds the dial:
// the client's goroutines run until Close.
func NewClient(ctx context.Context, endpoint string) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &Client{
		endpoint: endpoint,
		done:     make(chan struct{}),
		outbox:   make(chan string),
		wire:     make(chan string),
		inbox:    make(chan string),
	}
	go c.sendLoop()
	go c.receiveLoop()
	return c, nil
}

// sendLoop writes requests to the connection until the client is closed.
func (c *Client) sendLoop() {
	for {
		select {
		case <-c.done:
			return
		case key := <-c.outbox:
			select {
			case c.wire <- c.endpoint + "/" + key:
			case <-c.done:
				return
			}
		}
	}
}

// receiveLoop reads replies from the connection until the client is closed.
func (c *Client) receiveLoop() {
	for {
		select {
		case <-c.done:
			return
		case reply := <-c.wire:
			select {
			case c.inbox <- reply:
			case <-c.done:
				return
			}
		}
	}
}

// Get reads one value.
func (c *Client) Get(ctx context.Context, key string) (string, error) {
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-c.done:
		return "", errors.New("configsdk: client closed")
	case c.outbox <- key:
	}
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-c.done:
		return "", errors.New("configsdk: client closed")
	case v := <-c.inbox:
		return v, nil
	}
}

// Close releases the connection and stops the client's goroutines.
func (c *Client) Close() error {
	c.once.Do(func() { close(c.done) })
	return nil
}
