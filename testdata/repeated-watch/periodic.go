package watch

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

type ConfigLoader struct {
	cli   *clientv3.Client
	timer *time.Timer
}

// Positive (interprocedural): load is called every minute by run's ticker.
func (c *ConfigLoader) load(ctx context.Context) {
	// ruleid: repeated-watch
	ch := c.cli.Watch(ctx, "/config")
	go apply(ch)
}

func (c *ConfigLoader) run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.load(ctx)
		}
	}
}

// Negative: one watch per configured key at start-up is bounded, not repetition.
func subscribeOne(ctx context.Context, cli *clientv3.Client, key string) {
	// ok: repeated-watch
	go apply(cli.Watch(ctx, key))
}

func subscribeAll(ctx context.Context, cli *clientv3.Client, keys []string) {
	for _, k := range keys {
		subscribeOne(ctx, cli, k)
	}
}

// Negative: a time.AfterFunc callback runs once (a delayed start), it is no loop.
func (c *ConfigLoader) refresh() {
	// ok: repeated-watch
	go apply(c.cli.Watch(context.Background(), "/refresh"))
}

func (c *ConfigLoader) start() {
	time.AfterFunc(time.Minute, c.refresh)
}

// Positive: a callback that re-arms its own timer runs on a schedule.
func (c *ConfigLoader) poll() {
	// ruleid: repeated-watch
	go apply(c.cli.Watch(context.Background(), "/poll"))
	c.timer.Reset(time.Minute)
}

func (c *ConfigLoader) startPolling() {
	c.timer = time.AfterFunc(time.Minute, c.poll)
}

// A goroutine per configured key: the outer watch is bounded by the key list, but the inner
// one repeats for every event received.
func spawn(ctx context.Context, cli *clientv3.Client, keys []string) {
	for _, k := range keys {
		go func(key string) {
			// ok: repeated-watch
			for resp := range cli.Watch(ctx, key) {
				_ = resp
				// ruleid: repeated-watch
				go apply(cli.Watch(ctx, key+"/child"))
			}
		}(k)
	}
}

// Negative (interprocedural): the called function cancels its own context.
func (c *ConfigLoader) loadCancelled(ctx context.Context) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// ok: repeated-watch
	apply(c.cli.Watch(wctx, "/config"))
}

func (c *ConfigLoader) runCancelled(ctx context.Context) {
	for range time.Tick(time.Minute) {
		c.loadCancelled(ctx)
	}
}

// Negative: called only once at start-up.
func (c *ConfigLoader) startup(ctx context.Context) {
	// ok: repeated-watch
	go apply(c.cli.Watch(ctx, "/config"))
}

func New(cli *clientv3.Client) *ConfigLoader {
	c := &ConfigLoader{cli: cli}
	c.startup(context.Background())
	return c
}

// Positive: a helper called for every event received on a channel.
func onEvent(ctx context.Context, cli *clientv3.Client, key string) {
	// ruleid: repeated-watch
	go apply(cli.Watch(ctx, key))
}

func dispatch(ctx context.Context, cli *clientv3.Client, events <-chan string) {
	for key := range events {
		onEvent(ctx, cli, key)
	}
}
