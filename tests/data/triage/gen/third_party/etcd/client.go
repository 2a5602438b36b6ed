// Package clientv3 is a small stand-in for go.etcd.io/etcd/client/v3 with the same shape: a
// client that keeps a goroutine until Close, and Watch that parks one until its context ends.
package clientv3

import "context"

type Config struct{ Endpoints []string }

type Client struct {
	done chan struct{}
}

type WatchResponse struct{ Key string }

type WatchChan <-chan WatchResponse

func New(cfg Config) (*Client, error) {
	c := &Client{done: make(chan struct{})}
	go c.keepAlive()
	return c, nil
}

func (c *Client) keepAlive() {
	<-c.done
}

func (c *Client) Close() error {
	close(c.done)
	return nil
}

func (c *Client) Watch(ctx context.Context, key string) WatchChan {
	ch := make(chan WatchResponse)
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch
}
