package retain

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

type Service struct {
	cache    interface{ Set(string, []byte) }
	sessions sync.Map
	index    map[string][]byte
	recent   [][]byte
}

var globalIndex = map[string]struct{}{}
var history []string
var tokens sync.Map

// Positive: a cache-named field's Set.
func (s *Service) put(key string, value []byte, n int) {
	// ruleid: subslice-retained
	s.cache.Set(key, value[:n])
}

// Positive: a key that is a sub-string of a record kept in a package map.
func remember(record string) {
	// ruleid: subslice-retained
	globalIndex[record[:3]] = struct{}{}
}

// Negative: a key cut from a name (a subject, an ID): short, nothing big is kept.
func rememberName(name string) {
	// ok: subslice-retained
	globalIndex[name[:3]] = struct{}{}
}

// Positive: a sync.Map field storing part of a token.
func (s *Service) login(id, tok string) {
	// ruleid: subslice-retained
	s.sessions.Store(id, tok[:16])
}

// Positive: through two locals.
func twoHops(k string, msg []byte) {
	head := msg[:4]
	h := head
	// ruleid: subslice-retained
	cache.Store(k, h)
}

// Positive: appended to package history.
func record(line string) {
	// ruleid: subslice-retained
	history = append(history, line[0:10])
}

// Positive: a request body read whole, a prefix kept.
func (s *Service) sample(r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// ruleid: subslice-retained
	s.recent = append(s.recent, body[:64])
}

// Positive: Swap keeps the sub-slice too.
func swap(k string, v []byte) {
	// ruleid: subslice-retained
	tokens.Swap(k, v[1:])
}

// Positive: an index field keeps a window of the input.
func (s *Service) addRecord(key string, data []byte, off, n int) {
	// ruleid: subslice-retained
	s.index[key] = data[off : off+n]
}

// Positive: a three-index slice still shares the array.
func capped(k string, b []byte) {
	// ruleid: subslice-retained
	cache.Store(k, b[:8:8])
}

// Positive: strings.ToLower returns its argument itself when it is already lower case.
func lowered(k, s string) {
	lower := strings.ToLower(s[:4])
	// ruleid: subslice-retained
	cache.Store(k, lower)
}

// Negative: fmt.Sprintf always builds a new string.
func formatted(k, s string) {
	// ok: subslice-retained
	cache.Store(k, fmt.Sprintf("%s", s[:4]))
}

// Negative: a copy made with copy() into a fresh buffer.
func copied(k string, b []byte) {
	buf := make([]byte, 4)
	copy(buf, b[:4])
	// ok: subslice-retained
	cache.Store(k, buf)
}

// Negative: a slice of a local array.
func fromArray(k string) {
	var arr [32]byte
	// ok: subslice-retained
	cache.Store(k, arr[:4])
}

// Negative: slices.Clone.
func cloned(k string, b []byte) {
	// ok: subslice-retained
	cache.Store(k, slices.Clone(b[:4]))
}
