package app

import (
	"context"

	"example.com/evidence/cache"
	"example.com/evidence/store"
)

// Release evidence from the module itself: the constructor is declared in a package of the
// scanned module, and its result type's methods say how it is released.

// Positive: store.Client has a Shutdown method, and this one is never shut down.
func fetch(ctx context.Context, k string) ([]byte, error) {
	// ruleid: unclosed-client
	sc, err := store.NewClient(ctx, "localhost:1")
	if err != nil {
		return nil, err
	}
	return sc.Get(ctx, k)
}

// Negative: shut down when done.
func fetchClosed(ctx context.Context, k string) ([]byte, error) {
	// ok: unclosed-client
	sc, err := store.NewClient(ctx, "localhost:1")
	if err != nil {
		return nil, err
	}
	defer sc.Shutdown()
	return sc.Get(ctx, k)
}

// Negative: cache.Client has no release method at all: nothing to report.
func lookup(ctx context.Context, k string) []byte {
	// ok: unclosed-client
	cc := cache.NewClient(ctx)
	return cc.Get(k)
}
