package clients

// Fixtures of the `release` fix (goplumber check --fix): fix_release.go.fixed is this file
// after the fix. Standard library only, so the fixed file builds and passes go vet on its own.

import (
	"context"
	"crypto/tls"
	"database/sql"
	"log"
	"net"
	"net/http"
)

// The defer goes right after the error check, at the acquisition's indentation.
func fixDialPerCall(addr string) error {
	// ruleid: unclosed-client
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	_, err = conn.Write([]byte("ping"))
	return err
}

// A trailing comment after the check's brace stays where it is.
func fixQueryPerRequest(w http.ResponseWriter, r *http.Request) {
	// ruleid: unclosed-client
	db, err := sql.Open("postgres", r.URL.Query().Get("dsn"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	} // the DSN comes from the request
	row := db.QueryRowContext(r.Context(), "SELECT 1")
	_ = row.Err()
}

// An error check that ends the process (log.Fatal) leaves too; so does a comment line before it.
func fixTLSPerCall(addr string) {
	// ruleid: unclosed-client
	tc, err := tls.Dial("tcp", addr, &tls.Config{MinVersion: tls.VersionTLS12})
	// a failed handshake ends the tool
	if err != nil {
		log.Fatalf("tls.Dial: %v", err)
	}
	_ = tc.Handshake()
}

// The error result discarded: the defer goes right after the call.
func fixDiscardedError(addr string) {
	// ruleid: unclosed-client
	conn, _ := net.DialTimeout("tcp", addr, 0)
	_, _ = conn.Write(nil)
}

// A client made in a callback per request: the defer goes inside the callback, indented with it.
func fixRegister(mux *http.ServeMux) {
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) {
		// ruleid: unclosed-client
		c, err := net.Dial("tcp", r.URL.Host)
		if err != nil {
			return
		}
		_, _ = c.Write([]byte("x"))
	})
}

// Assigned with = to a variable declared before: still a local of this function.
func fixAssigned(ctx context.Context, addr string) error {
	var conn net.Conn
	var err error
	// ruleid: unclosed-client
	conn, err = net.Dial("udp", addr)
	if err != nil {
		return err
	}
	_, err = conn.Write([]byte(ctx.Value("k").(string)))
	return err
}

// A loop over a slice after the call ends: the connection is still leaked (only a loop that
// never ends keeps the value in use for good).
func fixThenRange(addrs []string) {
	// ruleid: unclosed-client
	conn, err := net.Dial("tcp", addrs[0])
	if err != nil {
		return
	}
	for _, a := range addrs {
		_, _ = conn.Write([]byte(a))
	}
}
