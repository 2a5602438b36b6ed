package clients

import (
	"context"

	"cloud.google.com/go/storage"
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
