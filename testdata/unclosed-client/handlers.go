package clients

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/storage"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	pb "example.com/gen/greeter"
)

// Positive: the golang-samples story, a client per HTTP request.
func accessSecret(w http.ResponseWriter, r *http.Request) {
	// ruleid: unclosed-client
	client, err := secretmanager.NewClient(r.Context())
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	resp, err := client.AccessSecretVersion(r.Context(), nil)
	fmt.Fprint(w, resp, err)
}

// Positive: gin handler, storage client.
func download(c *gin.Context) {
	ctx := c.Request.Context()
	// ruleid: unclosed-client
	sc, err := storage.NewClient(ctx)
	if err != nil {
		c.AbortWithStatus(500)
		return
	}
	_ = sc.Bucket("b")
}

// Positive: grpc.Dial per call, used and dropped.
func callOnce(ctx context.Context, addr string) error {
	// ruleid: unclosed-client
	conn, err := grpc.Dial(addr, grpc.WithInsecure())
	if err != nil {
		return err
	}
	_, err = pb.NewGreeterClient(conn).SayHello(ctx, nil)
	return err
}

// Positive: a client per loop iteration.
func pingAll(ctx context.Context, addrs []string) {
	for _, a := range addrs {
		// ruleid: unclosed-client
		rdb := redis.NewClient(&redis.Options{Addr: a})
		rdb.Ping(ctx)
	}
}

// Positive: Close only on the error path does not count.
func lookup(ctx context.Context, dsn string) (int, error) {
	// ruleid: unclosed-client
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return 0, err
	}
	var n int
	if err := db.QueryRowContext(ctx, "select 1").Scan(&n); err != nil {
		db.Close()
		return 0, err
	}
	return n, nil
}

// Positive: through an alias that is never closed either.
func aliasLeak(ctx context.Context) error {
	// ruleid: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		return err
	}
	bucketClient := c
	_ = bucketClient.Bucket("x")
	return nil
}

// Positive: the result is discarded outright.
func warmUp(ctx context.Context) {
	// ruleid: unclosed-client
	_, _ = secretmanager.NewClient(ctx)
}

// Positive: a method chain on a temporary client.
func pingOnce(ctx context.Context, addr string) error {
	// ruleid: unclosed-client
	return redis.NewClient(&redis.Options{Addr: addr}).Ping(ctx).Err()
}

// Positive: passed to a same-package helper that only uses it.
func useClient(ctx context.Context, c *storage.Client) { _ = c.Bucket("b") }

func helperDoesNotClose(ctx context.Context) {
	// ruleid: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		return
	}
	useClient(ctx, c)
}

// Positive: a gRPC method creating a client per RPC.
type Server struct{}

func (s *Server) Fetch(ctx context.Context, req *pb.HelloRequest) (*pb.HelloReply, error) {
	// ruleid: unclosed-client
	client, err := secretmanager.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	_, err = client.AccessSecretVersion(ctx, nil)
	return &pb.HelloReply{}, err
}

// Positive: printing a client does not take ownership of it.
func debugClient(ctx context.Context) {
	// ruleid: unclosed-client
	c, _ := storage.NewClient(ctx)
	fmt.Println(c)
}
