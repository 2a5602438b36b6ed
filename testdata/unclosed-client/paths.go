package clients

import (
	"context"
	"database/sql"
	"errors"

	"cloud.google.com/go/storage"
	"google.golang.org/grpc"
	pb "example.com/gen/greeter"
)

// Released at the end, but an early return after the acquisition skips the release.

// Positive: the RPC's error return skips the Close at the end.
func greetAndClose(ctx context.Context, addr string) error {
	// ruleid: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return err
	}
	reply, err := pb.NewGreeterClient(conn).SayHello(ctx, nil)
	if err != nil {
		return err
	}
	_ = reply
	return conn.Close()
}

// Positive: the defer is registered only after a check that can return first.
func upload(ctx context.Context, name string, data []byte) error {
	// ruleid: unclosed-client
	sc, err := storage.NewClient(ctx)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return errors.New("empty upload")
	}
	defer sc.Close()
	w := sc.Bucket("b").Object(name).NewWriter(ctx)
	_, err = w.Write(data)
	return err
}

// Positive: a `continue` in the loop skips the Close of this iteration's database.
func checkAll(dsns []string) {
	for _, dsn := range dsns {
		// ruleid: unclosed-client
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			continue
		}
		if err := db.Ping(); err != nil {
			continue
		}
		db.Close()
	}
}

// Negative: the error path closes before it returns.
func greetCareful(ctx context.Context, addr string) error {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return err
	}
	if _, err := pb.NewGreeterClient(conn).SayHello(ctx, nil); err != nil {
		conn.Close()
		return err
	}
	return conn.Close()
}

// Negative: deferred right after the error check: every later return releases it.
func greetDeferred(ctx context.Context, addr string) error {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := pb.NewGreeterClient(conn).SayHello(ctx, nil); err != nil {
		return err
	}
	return nil
}

// Negative: the early return hands the client to the caller.
func maybeKeep(ctx context.Context, keep bool) (*storage.Client, error) {
	// ok: unclosed-client
	sc, err := storage.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	if keep {
		return sc, nil
	}
	sc.Close()
	return nil, nil
}

// Negative: a break out of an inner loop does not leave the function before the Close.
func scanRows(ctx context.Context, dsn string) error {
	// ok: unclosed-client
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	for i := 0; i < 3; i++ {
		if db.PingContext(ctx) == nil {
			break
		}
	}
	return db.Close()
}
