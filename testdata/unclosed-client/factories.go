package clients

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"net"
	"time"

	"go.etcd.io/etcd/client/v3/concurrency"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

// Constructors of our own: they return the value on success. An error return after the
// acquisition that neither returns nor releases it leaks one per failing call.

// Positive (reduced from an etcd gRPC proxy, fixed upstream): the session's keep-alive goroutine
// outlives the failed registration.
func registerSession(c *clientv3.Client, prefix, addr string, ttl int) (*concurrency.Session, error) {
	// ruleid: unclosed-client
	ss, err := concurrency.NewSession(c, concurrency.WithTTL(ttl))
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		return nil, errors.New("no prefix")
	}
	return ss, nil
}

// Negative: the same constructor closing the session before each error return.
func registerSessionClean(c *clientv3.Client, prefix, addr string, ttl int) (*concurrency.Session, error) {
	// ok: unclosed-client
	ss, err := concurrency.NewSession(c, concurrency.WithTTL(ttl))
	if err != nil {
		return nil, err
	}
	if prefix == "" {
		ss.Close()
		return nil, errors.New("no prefix")
	}
	return ss, nil
}

// Positive: a ping that fails after the pool is open returns without closing it.
func openDB(dsn string) (*sql.DB, error) {
	// ruleid: unclosed-client
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		return nil, err
	}
	return db, nil
}

// Negative: a deferred cleanup on the named error covers every error return.
func openDBCleanup(dsn string) (db *sql.DB, err error) {
	// ok: unclosed-client
	conn, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			conn.Close()
		}
	}()
	if err = conn.Ping(); err != nil {
		return nil, err
	}
	return conn, nil
}

// Positive (reduced from a tunnelling proxy, fixed upstream): the TCP connection is dropped when
// the handshake on it fails.
func connect(ctx context.Context, addr string, hello []byte) (net.Conn, error) {
	// ruleid: unclosed-client
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write(hello); err != nil {
		return nil, err
	}
	return conn, nil
}

// Negative: an error return that hands the connection back with the error.
func connectPartial(addr string, hello []byte) (net.Conn, error) {
	// ok: unclosed-client
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Write(hello); err != nil {
		return conn, err
	}
	return conn, nil
}

// Negative: stored in the pool before the error return: the pool owns it from then on.
type connPool struct{ conns []*grpc.ClientConn }

func (p *connPool) grow(addr string, check func() error) (*grpc.ClientConn, error) {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return nil, err
	}
	p.conns = append(p.conns, conn)
	if err := check(); err != nil {
		return nil, err
	}
	return conn, nil
}


// Negative (reduced from a log store's proxy transport): two variables named conn in different
// blocks; each is returned right after its own error check.
func dialProxy(network, addr, proxyHost string, proxyTLS *tls.Config) (net.Conn, error) {
	if addr == proxyHost {
		// ok: unclosed-client
		conn, err := tls.Dial(network, addr, proxyTLS)
		if err != nil {
			return nil, err
		}
		return conn, nil
	}
	// ok: unclosed-client
	conn, err := tls.Dial(network, addr, &tls.Config{})
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// Negative (reduced from an autoscaler's Kafka scaler): the error branch closes the client when
// it is still open.
func kafkaClients(brokers []string, topic string) (*sql.DB, error) {
	// ok: unclosed-client
	client, err := sql.Open("kafka", topic)
	if err != nil {
		return nil, err
	}
	if err := client.Ping(); err != nil {
		if client.Stats().OpenConnections >= 0 {
			client.Close()
		}
		return nil, err
	}
	return client, nil
}
