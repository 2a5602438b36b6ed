package retain

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// Shapes seen in real services (issue 12), reduced and rewritten.

// --- queues that pop by re-slicing ------------------------------------------------------------

type frame struct {
	payload []byte
	err     error
}

// A connection's receive backlog: shared with a reader goroutine, so long-lived.
type inbox struct {
	mu      sync.Mutex
	backlog []frame
	out     chan frame
	ids     []int
	pool    []*frame
}

// Positive: the frame handed on stays referenced by the backing array.
func (b *inbox) deliver() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.backlog) > 0 {
		select {
		case b.out <- b.backlog[0]:
			// ruleid: subslice-retained
			b.backlog = b.backlog[1:]
		default:
		}
	}
}

// Negative: the slot is zeroed before re-slicing.
func (b *inbox) deliverCleared() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.backlog) > 0 {
		b.out <- b.backlog[0]
		b.backlog[0] = frame{}
		// ok: subslice-retained
		b.backlog = b.backlog[1:]
	}
}

// Negative: integers keep nothing else alive.
func (b *inbox) nextID() int {
	id := b.ids[0]
	// ok: subslice-retained
	b.ids = b.ids[1:]
	return id
}

// Negative: a free list hands the element out for reuse; nothing is dropped.
func (b *inbox) get() *frame {
	n := len(b.pool)
	f := b.pool[n-1]
	// ok: subslice-retained
	b.pool = b.pool[:n-1]
	return f
}

// Negative: undoing the append just made: the slot is refilled by the retry.
func (b *inbox) tryQueue(f frame) bool {
	b.backlog = append(b.backlog, f)
	if len(b.backlog) > 64 {
		// ok: subslice-retained
		b.backlog = b.backlog[:len(b.backlog)-1]
		return false
	}
	return true
}

// A timer heap kept by a long-lived scheduler.
type deadline struct {
	at   int64
	task func()
}

type deadlineHeap []*deadline

type scheduler struct {
	mu    sync.Mutex
	queue deadlineHeap
}

func (h deadlineHeap) Len() int { return len(h) }

// Positive: heap.Interface's Pop without clearing the last slot.
func (h *deadlineHeap) Pop() any {
	old := *h
	n := len(old)
	d := old[n-1]
	// ruleid: subslice-retained
	*h = old[:n-1]
	return d
}

// An expiry heap whose slice is a field; kept by a store guarded by a mutex.
type expiryHeap struct {
	items []*deadline
}

type ttlStore struct {
	sync.RWMutex
	expiring *expiryHeap
}

// Positive: the same through a field.
func (h *expiryHeap) Pop() any {
	old := h.items
	n := len(old)
	x := old[n-1]
	// ruleid: subslice-retained
	h.items = old[0 : n-1]
	return x
}

// Negative: the popped slot is cleared first (the documented heap idiom).
func (h *expiryHeap) popCleared() any {
	old := h.items
	n := len(old)
	x := old[n-1]
	old[n-1] = nil
	// ok: subslice-retained
	h.items = old[0 : n-1]
	return x
}

// A merge heap built for one query and dropped with it: nothing keeps the type.
type mergeHeap []*deadline

// Negative: a scratch heap's pops leak nothing for long.
func (h *mergeHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	// ok: subslice-retained
	*h = old[:n-1]
	return x
}

// Negative: a breadth-first walk's local queue.
func walk(roots []*deadline) int {
	queue := append([]*deadline(nil), roots...)
	seen := 0
	for len(queue) > 0 {
		seen++
		// ok: subslice-retained
		queue = queue[1:]
	}
	return seen
}

// --- type-aware sinks ---------------------------------------------------------------------------

// A cache interface whose Store takes a whole map and a TTL: not sync.Map.Store(key, value).
type bulkCache interface {
	Store(entries map[string][]byte, ttl int64)
}

type gateway struct {
	mu     sync.Mutex
	bulk   bulkCache
	latest map[string][]byte
	owners map[string]string
	cache  map[uint64][]string
}

// Negative: the container's declared type is not a sync.Map.
func (g *gateway) flush(body []byte, ttl int64) {
	// ok: subslice-retained
	g.bulk.Store(map[string][]byte{"k": body[:4]}, ttl)
}

// Negative: a Store on a container of unknown type is not taken for sync.Map's.
func forward(sink interface{ Store(string, []byte) }, body []byte) {
	// ok: subslice-retained
	sink.Store("k", body[:4])
}

// --- sources beyond request fields ---------------------------------------------------------------

type record struct {
	ID      string
	Payload []byte
}

// Positive: a range variable over a slice parameter; a map field of a mutex-guarded type.
func (g *gateway) index(records []record) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, rec := range records {
		// ruleid: subslice-retained
		g.latest[rec.ID] = rec.Payload[:16]
	}
}

// Positive: a buffer filled by io.ReadFull, a window of it kept.
func (g *gateway) readHeader(r io.Reader, key string) error {
	buf := make([]byte, 1<<16)
	if _, err := io.ReadFull(r, buf); err != nil {
		return err
	}
	// ruleid: subslice-retained
	g.latest[key] = buf[8:40]
	return nil
}

// Positive: a message received from a channel, a prefix kept.
func (g *gateway) consume(in chan []byte) {
	msg := <-in
	// ruleid: subslice-retained
	g.latest["last"] = msg[:32]
}

// Positive: strings.Split returns sub-strings of the line, not copies.
func (g *gateway) parseOwner(line string) {
	parts := strings.Split(line, " ")
	if len(parts) > 1 {
		// ruleid: subslice-retained
		g.owners[parts[0]] = "owner"
	}
}

// Positive: an Arrow string array's Value points into the array's data buffer.
func (g *gateway) labelValues(cols []*array.String, row int, key uint64) []string {
	vals := make([]string, 0, len(cols))
	for _, col := range cols {
		vals = append(vals, col.Value(row))
	}
	// ruleid: subslice-retained
	g.cache[key] = vals
	return vals
}

var names = map[string]string{}

// Positive: a zero-copy string over a read buffer kept in a package map.
func intern(buf []byte, n int) {
	s := unsafe.String(&buf[0], n)
	// ruleid: subslice-retained
	names[s] = s
}

// Negative: the Arrow value copied before it is cached.
func (g *gateway) labelValuesCopied(cols []*array.String, row int, key uint64) {
	vals := make([]string, 0, len(cols))
	for _, col := range cols {
		vals = append(vals, strings.Clone(col.Value(row)))
	}
	// ok: subslice-retained
	g.cache[key] = vals
}

// Negative: string(b[:n]) as a map key is a copy.
func (g *gateway) byteKey(buf []byte, n int) {
	// ok: subslice-retained
	g.owners[string(buf[:n])] = "x"
}

// Negative: the whole line is kept as the value anyway; its prefix key adds nothing.
func (g *gateway) prefixIndex(line string) {
	// ok: subslice-retained
	g.owners[line[:8]] = line
}

// Negative: splitting a literal retains nothing borrowed.
func (g *gateway) defaults() {
	for _, p := range strings.Split("a,b,c", ",") {
		// ok: subslice-retained
		g.owners[p] = p
	}
}

// Negative: filtering a map element in place reuses its own array.
func (g *gateway) dropOwner(key, who string) {
	list := g.cache[1]
	kept := list[:0]
	for _, x := range list {
		if x != who {
			kept = append(kept, x)
		}
	}
	// ok: subslice-retained
	g.cache[1] = kept
}

// Negative: popping a map element's queue through a local: the same container.
func (g *gateway) takeFront(topic string, n int) []byte {
	c := g.latest[topic]
	// ok: subslice-retained
	g.latest[topic] = c[n:]
	return c[:n]
}

// A decoder's scratch state, not shared: plain map fields of it are not long-lived.
type decoder struct {
	fields map[string][]byte
}

// Negative: a parser keeping views of the input in its own per-call state.
func (d *decoder) decode(data []byte) {
	// ok: subslice-retained
	d.fields["head"] = bytes.TrimSpace(data[:4])
}
