package clients

// Fixtures of the `release` fix for other clients and release methods (Stop, Disconnect(ctx)),
// a var declaration and a goroutine: fix_cloud.go.fixed is this file after --fix.

import (
	"context"
	"fmt"
	"net/http"

	"cloud.google.com/go/pubsub"
	"cloud.google.com/go/pubsublite/pscompat"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/mongo"
)

// Released with Disconnect(ctx): the call's context variable is passed.
func fixMongo(ctx context.Context, uri string) error {
	// ruleid: unclosed-client
	client, err := mongo.Connect(ctx, nil)
	if err != nil {
		return fmt.Errorf("mongo.Connect: %w", err)
	}
	return client.Ping(ctx, nil)
}

// A Pub/Sub Lite publisher is released with Stop.
func fixPublish(w http.ResponseWriter, r *http.Request) {
	// ruleid: unclosed-client
	pub, err := pscompat.NewPublisherClient(r.Context(), "projects/p/locations/l/topics/t")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	pub.Publish(r.Context(), nil)
}

// No error result: the defer goes right after the call.
func fixRedis(ctx context.Context, addr string) string {
	// ruleid: unclosed-client
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	return rdb.Ping(ctx).Val()
}

// A var declaration and an inverted check (nil != err).
func fixVar(ctx context.Context, project string) error {
	// ruleid: unclosed-client
	var client, err = pubsub.NewClient(ctx, project)
	if nil != err {
		return err
	}
	_ = client.Topic("t").Exists
	return nil
}

// In a goroutine: the defer runs when the goroutine returns.
func fixGoroutine(ctx context.Context, project string) {
	go func() {
		// ruleid: unclosed-client
		client, err := pubsub.NewClient(ctx, project)
		if err != nil {
			panic(err)
		}
		_ = client.Topic("t").Exists
	}()
}
