package cache

import "context"

// Client is an in-process cache view: nothing to release.
type Client struct{ m map[string][]byte }

func NewClient(ctx context.Context) *Client { return &Client{m: map[string][]byte{}} }

func (c *Client) Get(k string) []byte { return c.m[k] }
