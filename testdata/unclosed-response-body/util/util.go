package util

import (
	"io"
	"net/http"
)

// Consume drains and closes a response.
func Consume(r *http.Response) error {
	_, _ = io.Copy(io.Discard, r.Body)
	return r.Body.Close()
}
