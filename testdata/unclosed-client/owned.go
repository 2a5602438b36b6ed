package clients

import (
	"context"
	"database/sql"
	"log"
	"net/http"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/storage"
	"github.com/redis/go-redis/v9"
	"github.com/urfave/cli"
	"google.golang.org/grpc"
	pb "example.com/gen/greeter"
)

// Negative: deferred Close after the error check.
func accessSecretClosed(w http.ResponseWriter, r *http.Request) {
	// ok: unclosed-client
	client, err := secretmanager.NewClient(r.Context())
	if err != nil {
		return
	}
	defer client.Close()
	_, _ = client.AccessSecretVersion(r.Context(), nil)
}

// Negative: closed in a deferred closure that checks the error.
func closedInClosure(ctx context.Context) error {
	// ok: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if err := c.Close(); err != nil {
			log.Print(err)
		}
	}()
	_ = c.Bucket("b")
	return nil
}

// Negative: returned to the caller, who owns it.
func NewStore(ctx context.Context) (*storage.Client, error) {
	// ok: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Negative: stored in a struct field.
type App struct {
	db    *sql.DB
	cache *redis.Client
}

func (a *App) Init(dsn string) error {
	var err error
	// ok: unclosed-client
	a.db, err = sql.Open("postgres", dsn)
	// ok: unclosed-client
	rdb := redis.NewClient(&redis.Options{})
	a.cache = rdb
	return err
}

// Negative: assigned to a package variable: lives for the process.
var shared *secretmanager.Client

func setup(ctx context.Context) (err error) {
	// ok: unclosed-client
	shared, err = secretmanager.NewClient(ctx)
	return err
}

// Negative: created in main.
func main() {
	ctx := context.Background()
	// ok: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// Negative: generated gRPC stub wraps a connection and has no Close.
func greet(ctx context.Context, conn *grpc.ClientConn) error {
	// ok: unclosed-client
	client := pb.NewGreeterClient(conn)
	_, err := client.SayHello(ctx, nil)
	return err
}

// Negative: the connection is closed; the stub is not a resource.
func greetDial(ctx context.Context, addr string) error {
	// ok: unclosed-client
	conn, err := grpc.DialContext(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = pb.NewGreeterClient(conn).SayHello(ctx, nil)
	return err
}

// Negative: handed to a constructor in another package, which takes ownership.
func wrap(ctx context.Context) *Service {
	// ok: unclosed-client
	c, _ := storage.NewClient(ctx)
	return newService(c)
}

type Service struct{ c *storage.Client }

func newService(c *storage.Client) *Service { return &Service{c: c} }

// Negative: closed by a goroutine when the context ends.
func background(ctx context.Context) {
	// ok: unclosed-client
	rdb := redis.NewClient(&redis.Options{})
	go func() {
		<-ctx.Done()
		rdb.Close()
	}()
}

// Negative: sent on a channel to an owner.
func produce(ctx context.Context, out chan<- *storage.Client) {
	// ok: unclosed-client
	c, err := storage.NewClient(ctx)
	if err == nil {
		out <- c
	}
}

// Negative: closed via a same-package helper that closes its argument.
func closeQuietly(c *storage.Client) { _ = c.Close() }

func withHelper(ctx context.Context) {
	// ok: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		return
	}
	defer closeQuietly(c)
}

// Negative: appended to a pool slice.
func fill(ctx context.Context, pool []*storage.Client) []*storage.Client {
	// ok: unclosed-client
	c, _ := storage.NewClient(ctx)
	return append(pool, c)
}

// Negative: a client type from another library that takes no context (no Close to call).
func gh(hc *http.Client) {
	// ok: unclosed-client
	client := NewAPIClient(hc)
	_ = client
}

func NewAPIClient(hc *http.Client) *http.Client { return hc }

// Negative: a long-running goroutine owns the client for the life of the process.
func startReceiver(ctx context.Context, project string) error {
	// ok: unclosed-client
	c, err := storage.NewClient(ctx)
	if err != nil {
		return err
	}
	go func() {
		for {
			_ = c.Bucket(project)
			time.Sleep(time.Minute)
		}
	}()
	return nil
}



// Negative: a command-line action runs once per process, like main.
func listAction(context *cli.Context) error {
	// ok: unclosed-client
	client, err := storage.NewClient(context.Context)
	if err != nil {
		return err
	}
	_ = client.Bucket("b")
	return nil
}
