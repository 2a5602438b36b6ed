package clients

import (
	"context"
	"errors"
	"net/http"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/grpc"
)

// A constructor run once at start-up that returns a handle of the client (the bucket): the
// client stays alive, and in use, through the handle.
func openBucket(ctx context.Context, name string) (*storage.BucketHandle, error) {
	// ok: unclosed-client
	client, err := storage.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return client.Bucket(name), nil
}

// The same handle returned, but by a function a request loop calls: a client per call.
func bucketFor(ctx context.Context, name string) *storage.BucketHandle {
	// ruleid: unclosed-client
	client, _ := storage.NewClient(ctx)
	return client.Bucket(name)
}

func serveBuckets(ctx context.Context, names <-chan string) {
	for name := range names {
		_ = bucketFor(ctx, name)
	}
}

// Positive: the function returns what an operation read (it takes a context), not a handle:
// nothing keeps the client in use, and nothing closes it.
func readAttrs(ctx context.Context, name string) (*storage.BucketAttrs, error) {
	// ruleid: unclosed-client
	client, err := storage.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return client.Bucket(name).Attrs(ctx)
}

// Negative: a config parser that accepts one block (a budget checked in the loop body): the
// client is built once at start-up and kept in the proxy it returns.
type parser interface{ Next() bool }

type proxy struct{ client *storage.BucketHandle }

func newProxy(ctx context.Context, name string) (*proxy, error) {
	// ok: unclosed-client
	client, err := storage.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return &proxy{client: client.Bucket(name)}, nil
}

func parseBlock(ctx context.Context, c parser, names []string) (*proxy, error) {
	var p *proxy
	i := 0
	for c.Next() {
		if i > 0 {
			return nil, errors.New("only one block")
		}
		i++
		for _, n := range names {
			var err error
			if p, err = newProxy(ctx, n); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// Positive: `defer conn.Close()` in an endless worker loop runs only when the function
// returns (never): a connection piles up every round.
func pollUpstream(ctx context.Context, addr string, t *time.Ticker) {
	for range t.C {
		// ruleid: unclosed-client
		conn, err := grpc.NewClient(addr)
		if err != nil {
			continue
		}
		defer conn.Close()
		_ = conn
	}
}

// Negative: the same inside a per-iteration closure: its defer runs every round.
func pollUpstreamScoped(ctx context.Context, addr string, t *time.Ticker) {
	for range t.C {
		func() {
			// ok: unclosed-client
			conn, err := grpc.NewClient(addr)
			if err != nil {
				return
			}
			defer conn.Close()
			_ = conn
		}()
	}
}

// Positive: a handler closure registered in init runs per request (init does not own it).
func init() {
	http.HandleFunc("/doc", func(w http.ResponseWriter, r *http.Request) {
		// ruleid: unclosed-client
		client, err := storage.NewClient(r.Context())
		if err != nil {
			return
		}
		_, _ = client.Bucket("docs").Attrs(r.Context())
	})
}

// Negative: released through a variadic helper that closes each of its arguments.
func closeAll(cs ...interface{ Close() error }) {
	for _, c := range cs {
		_ = c.Close()
	}
}

func exportBuckets(ctx context.Context, name string) error {
	// ok: unclosed-client
	a, err := storage.NewClient(ctx)
	if err != nil {
		return err
	}
	defer closeAll(a)
	_, err = a.Bucket(name).Attrs(ctx)
	return err
}

// Positive: a variadic helper that only logs its arguments releases nothing.
func logAll(cs ...interface{ Close() error }) {
	for _, c := range cs {
		_ = c
	}
}

func exportLogged(ctx context.Context, name string) error {
	// ruleid: unclosed-client
	a, err := storage.NewClient(ctx)
	if err != nil {
		return err
	}
	logAll(a)
	_, err = a.Bucket(name).Attrs(ctx)
	return err
}
