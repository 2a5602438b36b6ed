package retain

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"sync"
)

// Negative: copied with bytes.Clone.
func rememberClone(req *Request) {
	// ok: subslice-retained
	cache.Store(req.Id, bytes.Clone(req.Msg[:1]))
}

// Negative: string conversion copies.
func rememberString(req *Request) {
	// ok: subslice-retained
	cache.Store(req.Id, string(req.Msg[:8]))
}

// Negative: strings.Clone of a sub-string.
func indexClone(line string) {
	// ok: subslice-retained
	byPrefix[strings.Clone(line[:8])] = strings.Clone(line)
}

// Negative: append to nil copies.
func keepCopy(buf []byte, n int) {
	// ok: subslice-retained
	recent = append(recent, append([]byte(nil), buf[:n]...))
}

// Negative: copy() into a fresh slice first.
func keepCopied(buf []byte, n int) {
	cp := make([]byte, n)
	copy(cp, buf[:n])
	// ok: subslice-retained
	recent = append(recent, cp)
}

// Negative: a map local to the function.
func countPrefixes(lines []string) int {
	local := map[string]int{}
	for _, l := range lines {
		// ok: subslice-retained
		local[l[:2]]++
		// ok: subslice-retained
		local[l[:3]] = 1
	}
	return len(local)
}

// Negative: a slice of a small fixed-size array.
func remember32(key string, data []byte) {
	sum := sha256.Sum256(data)
	// ok: subslice-retained
	cache.Store(key, sum[:8])
}

// Negative: the full slice keeps nothing extra.
func rememberAll(req *Request) {
	// ok: subslice-retained
	cache.Store(req.Id, req.Msg[:])
}

// Negative: atomic.Value.Store has one argument; not a container.
func publish(v interface{ Store(any) }, req *Request) {
	// ok: subslice-retained
	v.Store(req.Msg[:1])
}

// Negative: a slice of a string literal.
func constant() {
	const prefix = "abcdefgh"
	s := "static-key"
	// ok: subslice-retained
	cache.Store(s[:3], prefix)
}

// Negative: http.Header is per-response, not a cache.
func header(w interface{ Header() map[string][]string }, tok string) {
	h := w.Header()
	// ok: subslice-retained
	h["X-Token"] = []string{tok[:6]}
}

// Negative: a local sync.Map.
func scratch(req *Request) int {
	var m sync.Map
	// ok: subslice-retained
	m.Store(req.Id, req.Msg[:1])
	n := 0
	m.Range(func(_, _ any) bool { n++; return true })
	return n
}

// Negative: strings.Builder / bytes.Buffer writes copy.
func build(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		// ok: subslice-retained
		b.WriteString(p[:1])
	}
	return b.String()
}

// Negative: a parser keeping slices of the message it decodes, in the message itself.
type certMsg struct{ certs [][]byte }

func (m *certMsg) unmarshal(data []byte) {
	for len(data) > 3 {
		n := int(data[0])
		// ok: subslice-retained
		m.certs = append(m.certs, data[1:n])
		data = data[n:]
	}
}

// Negative: popping from a free list re-slices the container's own element.
type freeList struct{ free map[int][]int }

func (o *freeList) take(k int) int {
	a := o.free[k]
	x := a[len(a)-1]
	// ok: subslice-retained
	o.free[k] = a[:len(a)-1]
	return x
}

// Negative: a slice of a static package-level table.
var optab = []int{1, 2, 3, 4}
var oprange = map[int][]int{}

func buildRanges(start, end int) {
	// ok: subslice-retained
	oprange[start] = optab[start:end]
}

// Negative: an accumulator captured by a callback that does not outlive the call.
func findAll(b []byte, each func(func(int, int))) [][]byte {
	var result [][]byte
	each(func(i, j int) {
		// ok: subslice-retained
		result = append(result, b[i:j])
	})
	return result
}
