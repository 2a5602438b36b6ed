package watch

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
)

type podWatcher interface {
	Watch(ctx context.Context, opts string) (interface{ Stop() }, error)
}

// Positive: a Kubernetes-style watch re-opened forever and never stopped.
func followPods(ctx context.Context, pods podWatcher) {
	for {
		// ruleid: repeated-watch
		w, err := pods.Watch(ctx, "app=web")
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		_ = w
		time.Sleep(time.Minute)
	}
}

// Positive: a helper called from a time.Tick loop.
func refreshPrefix(ctx context.Context, cli *clientv3.Client) {
	// ruleid: repeated-watch
	go apply(cli.WatchPrefix(ctx, "/svc/"))
}

func refresher(ctx context.Context, cli *clientv3.Client) {
	for range time.Tick(30 * time.Second) {
		refreshPrefix(ctx, cli)
	}
}

// Positive: a queue subscription per message.
func perMessage(nc *nats.Conn, in <-chan *nats.Msg, h nats.MsgHandler) {
	for m := range in {
		// ruleid: repeated-watch
		nc.QueueSubscribe(m.Subject, "workers", h)
	}
}

// Positive: a JetStream subscription in a select loop with a ticker.
func jsLoop(ctx context.Context, js nats.JetStreamContext, t *time.Ticker, h nats.MsgHandler) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// ruleid: repeated-watch
			_, _ = js.Subscribe("orders.*", h)
		}
	}
}

// Positive: a pattern subscription on a condition loop.
func patternLoop(ctx context.Context, rdb *redis.Client, alive func() bool) {
	for alive() {
		// ruleid: repeated-watch
		ps := rdb.PSubscribe(ctx, "events.*")
		go func() {
			for m := range ps.Channel() {
				_ = m
			}
		}()
		time.Sleep(time.Second)
	}
}

// Positive: SIGHUP handler registered again on every reload.
func reloadOnHUP(reload func()) {
	for {
		hup := make(chan os.Signal, 1)
		// ruleid: repeated-watch
		signal.Notify(hup, syscall.SIGHUP)
		<-hup
		reload()
	}
}

// Positive: a synchronous subscription per tick, never unsubscribed.
func pollSync(nc *nats.Conn, t *time.Ticker) {
	for range t.C {
		// ruleid: repeated-watch
		sub, _ := nc.SubscribeSync("status")
		_, _ = sub.NextMsg(time.Second)
	}
}

// Negative: stopped with defer inside a per-iteration closure.
func followOnce(ctx context.Context, pods podWatcher, stop func() bool) {
	for !stop() {
		func() {
			// ok: repeated-watch
			w, err := pods.Watch(ctx, "app=web")
			if err != nil {
				return
			}
			defer w.Stop()
			time.Sleep(time.Minute)
		}()
	}
}

// Negative: drained before the next iteration.
func drainEach(nc *nats.Conn, t *time.Ticker) {
	for range t.C {
		// ok: repeated-watch
		sub, _ := nc.SubscribeSync("status")
		_, _ = sub.NextMsg(time.Second)
		_ = sub.Drain()
	}
}
