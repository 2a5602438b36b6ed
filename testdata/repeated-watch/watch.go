package watch

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
)

func apply(clientv3.WatchChan) {}

// Positive: Watch on a ticker, result handed to a goroutine, never cancelled.
func reloadLoop(ctx context.Context, cli *clientv3.Client, t *time.Ticker) {
	for range t.C {
		// ruleid: repeated-watch
		ch := cli.Watch(ctx, "/config")
		go apply(ch)
	}
}

// Positive: polling loop with Sleep, result discarded.
func poll(ctx context.Context, cli *clientv3.Client) {
	for {
		// ruleid: repeated-watch
		cli.Watch(ctx, "/leader")
		time.Sleep(time.Minute)
	}
}

// Positive: NATS subscription per message received.
func relay(nc *nats.Conn, requests <-chan *nats.Msg, h nats.MsgHandler) {
	for req := range requests {
		// ruleid: repeated-watch
		_, _ = nc.Subscribe(req.Reply, h)
	}
}

// Positive: redis pub/sub subscription in a loop, never closed.
func listen(ctx context.Context, rdb *redis.Client, rooms <-chan string) {
	for room := range rooms {
		// ruleid: repeated-watch
		sub := rdb.Subscribe(ctx, room)
		go func() {
			for m := range sub.Channel() {
				_ = m
			}
		}()
	}
}

// Positive: signal.Notify with a fresh channel every iteration, never stopped.
func waitSignals(done func() bool) {
	for !done() {
		c := make(chan os.Signal, 1)
		// ruleid: repeated-watch
		signal.Notify(c, os.Interrupt)
		<-c
	}
}

// Positive: the cancel function is discarded, so the context is never cancelled.
func discardCancel(ctx context.Context, cli *clientv3.Client) {
	for {
		wctx, _ := context.WithCancel(ctx)
		// ruleid: repeated-watch
		wch := cli.Watch(wctx, "/k")
		go apply(wch)
		time.Sleep(time.Second)
	}
}

// Negative: each iteration cancels the watch's context.
func reloadCancelled(ctx context.Context, cli *clientv3.Client, t *time.Ticker) {
	for range t.C {
		wctx, cancel := context.WithCancel(ctx)
		// ok: repeated-watch
		ch := cli.Watch(wctx, "/config")
		apply(ch)
		cancel()
	}
}

// Negative: deferred cancel inside a per-iteration closure.
func reloadTimeout(ctx context.Context, cli *clientv3.Client, keys []string) {
	for _, k := range keys {
		func() {
			wctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			// ok: repeated-watch
			apply(cli.Watch(wctx, k))
		}()
	}
}

// Negative: watch once, outside the loop.
func watchOnce(ctx context.Context, cli *clientv3.Client) {
	// ok: repeated-watch
	ch := cli.Watch(ctx, "/config")
	for resp := range ch {
		_ = resp
	}
}

// Negative: reconnect loop that drains the watch channel until it closes.
func reconnect(ctx context.Context, cli *clientv3.Client) {
	for ctx.Err() == nil {
		// ok: repeated-watch
		wch := cli.Watch(ctx, "/leader")
		for resp := range wch {
			_ = resp
		}
	}
}

// Negative: the subscription is closed in the same iteration.
func sampleOnce(ctx context.Context, rdb *redis.Client, rooms []string) {
	for _, room := range rooms {
		// ok: repeated-watch
		sub := rdb.Subscribe(ctx, room)
		_, _ = sub.Receive(ctx)
		sub.Close()
	}
}

// Negative: unsubscribed with defer in a per-iteration closure.
func natsOnce(nc *nats.Conn, subjects []string, h nats.MsgHandler) {
	for _, s := range subjects {
		func() {
			// ok: repeated-watch
			sub, err := nc.Subscribe(s, h)
			if err != nil {
				return
			}
			defer sub.Unsubscribe()
		}()
	}
}

// Negative: sync.Once guards the watch.
type Loader struct {
	once sync.Once
	cli  *clientv3.Client
}

func (l *Loader) ensure(ctx context.Context) {
	l.once.Do(func() {
		// ok: repeated-watch
		go apply(l.cli.Watch(ctx, "/config"))
	})
}

func (l *Loader) loop(ctx context.Context) {
	for {
		l.ensure(ctx)
		time.Sleep(time.Second)
	}
}

// Negative: signal.Stop in the same iteration.
func waitSignalsStopped(n int) {
	for i := 0; i < n; i++ {
		c := make(chan os.Signal, 1)
		// ok: repeated-watch
		signal.Notify(c, os.Interrupt)
		<-c
		signal.Stop(c)
	}
}

// Negative: test helpers named Subscribe on testing.T-like values are not watches.
func notAWatch(items []string, t interface{ Subscribe(string) }) {
	for _, it := range items {
		// ok: repeated-watch
		t.Subscribe(it)
	}
}

// Positive: on a time.Tick channel, resubscribing every tick.
func resubscribe(ctx context.Context, rdb *redis.Client) {
	for range time.Tick(time.Minute) {
		// ruleid: repeated-watch
		sub := rdb.PSubscribe(ctx, "events.*")
		go func() {
			for m := range sub.Channel() {
				_ = m
			}
		}()
	}
}

// Positive: a select loop with a ticker case.
func selectTicker(ctx context.Context, cli *clientv3.Client, t *time.Ticker) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// ruleid: repeated-watch
			go apply(cli.Watch(ctx, "/members", clientv3.WithPrefix()))
		}
	}
}

// Positive: condition loop with a per-iteration context whose cancel is never called.
func leakyCancel(ctx context.Context, cli *clientv3.Client) {
	for ctx.Err() == nil {
		wctx, cancel := context.WithCancel(ctx)
		_ = cancel
		// ruleid: repeated-watch
		go apply(cli.Watch(wctx, "/k"))
		time.Sleep(time.Second)
	}
}

// Negative: a bounded pass over configured subjects at start-up.
func subscribeAllSubjects(nc *nats.Conn, subjects []string, h nats.MsgHandler) {
	for _, s := range subjects {
		// ok: repeated-watch
		_, _ = nc.Subscribe(s, h)
	}
}

// Negative: retry until the first watch that works; failed attempts started nothing.
func openStream(ctx context.Context, cli *clientv3.Client) clientv3.WatchChan {
	for {
		// ok: repeated-watch
		if wch := cli.Watch(ctx, "/k"); wch != nil {
			return wch
		}
		time.Sleep(time.Second)
	}
}

// Negative: a helper that returns the watch; its caller owns the result.
func watchKey(ctx context.Context, cli *clientv3.Client, key string) clientv3.WatchChan {
	for {
		// ok: repeated-watch
		return cli.Watch(ctx, key)
	}
}

// Negative: a printer method named Watch is not a watch API.
type printer struct{}

func (printer) Watch(resp string) {}

func show(p printer, resps <-chan string) {
	for r := range resps {
		// ok: repeated-watch
		p.Watch(r)
	}
}

// Negative: lazily created once, guarded by a nil check.
func listenLazy(ctx context.Context, rdb *redis.Client, stop <-chan struct{}) {
	var sub *redis.PubSub
	for {
		if sub == nil {
			// ok: repeated-watch
			sub = rdb.Subscribe(ctx, "+switch-master")
		}
		select {
		case <-stop:
			return
		case m := <-sub.Channel():
			_ = m
		}
	}
}

// Negative: the package implementing Subscribe resubscribes its own channels on reconnect.
type PubSub struct{ channels []string }

func (c *PubSub) Subscribe(channels ...string) error { return nil }

func (c *PubSub) reconnectLoop(conns <-chan struct{}) {
	for range conns {
		// ok: repeated-watch
		_ = c.Subscribe(c.channels...)
	}
}
