// Package harness is test support outside *_test.go files (headscale's integration/scenario.go):
// a file importing a test framework only runs under `go test`.
package harness

import (
	"crypto/tls"
	"net/http"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
)

type LoggingRoundTripper struct{}

func (LoggingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	// ok: unclosed-client
	noTLS := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	return noTLS.RoundTrip(req)
}

func Dial(t require.TestingT, addr string) {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	require.NoError(t, err)
	_ = conn
}
