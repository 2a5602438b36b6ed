package retain

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

type Request struct {
	Id  string
	Msg []byte
}

var cache sync.Map
var byPrefix = map[string]string{}
var recent [][]byte

// Positive: the example.
func remember(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.Id, req.Msg[:1])
}

// Positive: through a local variable.
func rememberHeader(req *Request) {
	head := req.Msg[:16]
	// ruleid: subslice-retained
	cache.Store(req.Id, head)
}

// Positive: a sub-string of a parameter kept in a package-level map.
func index(line string) {
	// ruleid: subslice-retained
	byPrefix[line[:8]] = "seen"
}

// Positive: appended to a package-level slice.
func keep(buf []byte, n int) {
	// ruleid: subslice-retained
	recent = append(recent, buf[:n])
}

type Server struct {
	mu    sync.Mutex
	seen  map[string][]byte
	lru   *lru.Cache[string, []byte]
	recent [][]byte
}

// Positive: a map field of the receiver.
func (s *Server) record(key string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// ruleid: subslice-retained
	s.seen[key] = body[4:]
}

// Positive: an LRU cache field.
func (s *Server) cacheToken(r *http.Request) {
	auth := r.Header.Get("Authorization")
	// ruleid: subslice-retained
	s.lru.Add(auth[:12], nil)
}

// Positive: read buffer sliced to what was read, stored in a struct value.
type entry struct{ data []byte }

func (s *Server) load(r io.Reader, key string) {
	buf := make([]byte, 64*1024)
	n, _ := r.Read(buf)
	// ruleid: subslice-retained
	cache.Store(key, entry{data: buf[:n]})
}

// Positive: LoadOrStore with a pointer to a struct holding the sub-slice.
func dedupe(req *Request) {
	// ruleid: subslice-retained
	cache.LoadOrStore(req.Id, &entry{data: req.Msg[2:10]})
}

// Positive: appended to a history field slice.
func (s *Server) push(msg []byte) {
	// ruleid: subslice-retained
	s.recent = append(s.recent, msg[1:])
}

// Positive: a map captured by a long-lived closure.
func makeIndexer() func(string) {
	seen := map[string]bool{}
	return func(line string) {
		// ruleid: subslice-retained
		seen[line[:4]] = true
	}
}

// Positive: the whole body read and sliced.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// ruleid: subslice-retained
	cache.Store(r.URL.Path, body[:32])
}
