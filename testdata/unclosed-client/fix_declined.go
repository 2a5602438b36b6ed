package clients

// Findings the `release` fix declines (reported without a fix): fix_declined.go.fixed is
// identical to this file, since `check --fix` must leave it alone.

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/http"

	"cloud.google.com/go/storage"
	"go.mongodb.org/mongo-driver/mongo"
)

// Released at the end, but the early return skips it: a defer would close it twice.
func declineErrorPath(addr string) error {
	// ruleid: unclosed-client
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	if _, err := conn.Write([]byte("x")); err != nil {
		return err
	}
	conn.Close()
	return nil
}

// Returned on success (the caller owns it), leaked on the later error return: a defer would
// close the connection the caller gets.
func declineReturned(addr string) (net.Conn, error) {
	// ruleid: unclosed-client
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write([]byte("hello")); err != nil {
		return nil, fmt.Errorf("hello: %w", err)
	}
	return conn, nil
}

// Made in a loop: a defer would run only when the function returns.
func declineLoop(addrs []string) {
	for _, a := range addrs {
		// ruleid: unclosed-client
		conn, err := net.Dial("tcp", a)
		if err != nil {
			continue
		}
		_, _ = conn.Write(nil)
	}
}

// The error is not checked right after the call: the value may be nil where a defer would go.
func declineLateCheck(addr string) error {
	// ruleid: unclosed-client
	conn, err := net.Dial("tcp", addr)
	log.Printf("dialed %s", addr)
	if err != nil {
		return err
	}
	_, err = conn.Write(nil)
	return err
}

// The error check does not leave: past it the value may be nil.
func declineCheckGoesOn(addr string) {
	// ruleid: unclosed-client
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		log.Printf("dial: %v", err)
	}
	_, _ = conn.Write(nil)
}

type declineStore struct{ bucket *storage.BucketHandle }

// A handle of the client is stored, per request: closing the client would break the handle.
func (s *declineStore) handle(w http.ResponseWriter, r *http.Request) {
	// ruleid: unclosed-client
	c, err := storage.NewClient(r.Context())
	if err != nil {
		return
	}
	s.bucket = c.Bucket("b")
}

// Disconnect takes a context; the call's is not a variable to reuse.
func declineDisconnect(uri string) error {
	// ruleid: unclosed-client
	client, err := mongo.Connect(context.Background(), nil)
	if err != nil {
		return err
	}
	return client.Ping(context.Background(), nil)
}
