package clients

import (
	"context"
	"database/sql"
	"net/http"

	"cloud.google.com/go/pubsub"
	"github.com/IBM/sarama"
	"github.com/fsnotify/fsnotify"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/nats-io/nats.go"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Positive: a database handle per iteration.
func countAll(dsns []string) int {
	n := 0
	for _, dsn := range dsns {
		// ruleid: unclosed-client
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			continue
		}
		_ = db.QueryRow("select 1").Scan(&n)
	}
	return n
}

// Positive: a file watcher per call.
func watchOnce(path string) error {
	// ruleid: unclosed-client
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	return w.Add(path)
}

// Positive: a Pub/Sub client per echo request.
func publish(c echo.Context) error {
	ctx := c.Request().Context()
	// ruleid: unclosed-client
	client, err := pubsub.NewClient(ctx, "project")
	if err != nil {
		return err
	}
	client.Topic("t").Publish(ctx, &pubsub.Message{Data: []byte("x")})
	return nil
}

// Positive: a NATS connection per call.
func notify(url, subject string) error {
	// ruleid: unclosed-client
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	return nc.Publish(subject, []byte("hi"))
}

// Positive: an etcd client per gin request.
func readKey(c *gin.Context) {
	// ruleid: unclosed-client
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"localhost:2379"}})
	if err != nil {
		c.AbortWithStatus(http.StatusBadGateway)
		return
	}
	_, _ = cli.Get(c, "k")
}

// Positive: a Kafka producer per message batch.
func send(brokers []string, msgs []*sarama.ProducerMessage) error {
	// ruleid: unclosed-client
	p, err := sarama.NewSyncProducer(brokers, nil)
	if err != nil {
		return err
	}
	return p.SendMessages(msgs)
}

// Positive: a Postgres pool per call.
func lookupUser(ctx context.Context, dsn string, id int) error {
	// ruleid: unclosed-client
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, "select $1", id)
	return err
}

// Positive: a Mongo client never disconnected.
func findOne(ctx context.Context, uri string) error {
	// ruleid: unclosed-client
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri))
	if err != nil {
		return err
	}
	return client.Database("db").Collection("c").FindOne(ctx, nil).Err()
}

// Negative: drained when done.
func notifyDrained(url, subject string) error {
	// ok: unclosed-client
	nc, err := nats.Connect(url)
	if err != nil {
		return err
	}
	defer nc.Drain()
	return nc.Publish(subject, []byte("hi"))
}

// Negative: disconnected when done.
func findOneClosed(ctx context.Context, uri string) error {
	// ok: unclosed-client
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri))
	if err != nil {
		return err
	}
	defer func() { _ = client.Disconnect(ctx) }()
	return client.Database("db").Collection("c").FindOne(ctx, nil).Err()
}
