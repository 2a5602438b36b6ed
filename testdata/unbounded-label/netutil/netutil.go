// Package netutil holds request helpers that live in another package of the fixture module.
package netutil

import (
	"net"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
)

// ClientIP prefers the proxy's forwarding header over the socket address.
func ClientIP(r *http.Request) string {
	if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
		return strings.TrimSpace(strings.Split(fwd, ",")[0])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// IsInternal says whether the caller marked itself as an internal service.
func IsInternal(r *http.Request) bool {
	return r.Header.Get("X-Internal") == "1"
}

// Protocol maps the request to one of three names.
func Protocol(r *http.Request) string {
	if r.Header.Get("Upgrade") == "websocket" {
		return "ws"
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// BucketAndKey splits a storage request's route variables (named results, bare return).
func BucketAndKey(r *http.Request) (bucket, key string) {
	vars := mux.Vars(r)
	bucket = vars["bucket"]
	key = strings.TrimPrefix(vars["key"], "/")
	return
}

// verbs lists the methods that get a series of their own.
var verbs = map[string]string{
	"GET": "GET", "get": "GET",
	"PUT": "PUT", "put": "PUT",
	"POST": "POST", "post": "POST",
}

// FoldVerb maps a client's method onto the listed ones; the lookup's result shadows the
// parameter, so what is returned is the table's value.
func FoldVerb(verb string) string {
	if verb, found := verbs[verb]; found {
		return verb
	}
	return "OTHER"
}

// UpperVerb prefers the table's spelling, but hands any other token back upper-cased.
func UpperVerb(verb string) string {
	if known, found := verbs[verb]; found {
		return known
	}
	return strings.ToUpper(verb)
}
