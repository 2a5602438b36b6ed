package clients

import (
	"context"
	"errors"
	"net/http"

	"cloud.google.com/go/pubsub"
	"cloud.google.com/go/storage"
	"github.com/acme/httpgrpc"
	"google.golang.org/grpc"
	pb "example.com/gen/greeter"
)

// A client kept alive by a handle derived from it, stored in a value that outlives the call.

type Archive struct {
	bkt *storage.BucketHandle
}

// Negative: the bucket handle, which holds the client, is stored in the struct the
// constructor returns.
func NewArchive(ctx context.Context, name string) (*Archive, error) {
	// ok: unclosed-client
	sc, err := storage.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return &Archive{bkt: sc.Bucket(name)}, nil
}

type notifier struct {
	topic *pubsub.Topic
}

// Negative: the topic handle is stored in a field by an initializer.
func (n *notifier) setup(ctx context.Context, project, topic string) error {
	// ok: unclosed-client
	pc, err := pubsub.NewClient(ctx, project)
	if err != nil {
		return err
	}
	n.topic = pc.Topic(topic)
	return nil
}

// Negative: a wrapper around the connection is returned (the wrapper keeps it).
func DialFrontend(addr string) (httpgrpc.HTTPClient, error) {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return nil, err
	}
	return httpgrpc.NewHTTPClient(conn), nil
}

type Reporter struct {
	api pb.GreeterClient
}

// Negative: a generated stub over the connection is stored in the returned struct.
func NewReporter(addr string) (*Reporter, error) {
	// ok: unclosed-client
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return nil, err
	}
	return &Reporter{api: pb.NewGreeterClient(conn)}, nil
}

type worker struct {
	api pb.GreeterClient
}

// Positive: a stub stored in a field, but the connection is dialled again on every
// reconnect: the previous connection is dropped and never closed.
func (w *worker) connect(ctx context.Context, addr string) error {
	// ruleid: unclosed-client
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return err
	}
	w.api = pb.NewGreeterClient(conn)
	_, err = w.api.SayHello(ctx, nil)
	return err
}

func (w *worker) run(ctx context.Context, addr string) {
	for ctx.Err() == nil {
		if err := w.connect(ctx, addr); err != nil {
			continue
		}
	}
}

type session struct {
	stream pb.Greeter_ChatClient
}

// Positive: the derived stream goes into a local struct that is dropped: nothing keeps the
// connection.
func chatOnce(ctx context.Context, addr string) error {
	// ruleid: unclosed-client
	conn, err := grpc.NewClient(addr)
	if err != nil {
		return err
	}
	stream, err := pb.NewGreeterClient(conn).Chat(ctx)
	if err != nil {
		return err
	}
	s := &session{stream: stream}
	return s.stream.Send(nil)
}

// Positive: a handle stored per request is still one client per request.
func (n *notifier) handle(w http.ResponseWriter, r *http.Request) {
	// ruleid: unclosed-client
	pc, err := pubsub.NewClient(r.Context(), "p")
	if err != nil {
		return
	}
	n.topic = pc.Topic("t")
}

// Negative: a typed variable declaration is an alias like any other; it is returned.
func bucketFor(ctx context.Context) (interface{}, error) {
	// ok: unclosed-client
	sc, err := storage.NewClient(ctx)
	if err != nil {
		return nil, errors.New("no client")
	}
	var b interface{} = sc
	return b, nil
}

// Positive: results read through a handle (topic -> IAM -> permissions) are returned, but they
// are data, not the handle: nothing keeps the client.
func permissions(ctx context.Context, project, topic string) ([]string, error) {
	// ruleid: unclosed-client
	pc, err := pubsub.NewClient(ctx, project)
	if err != nil {
		return nil, err
	}
	t := pc.Topic(topic)
	perms, err := t.IAM().TestPermissions(ctx, []string{"pubsub.topics.publish"})
	if err != nil {
		return nil, err
	}
	return perms, nil
}
