package retain

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/VictoriaMetrics/VictoriaMetrics/lib/bytesutil"
)

type job struct {
	Name    string
	Payload []byte
}

type taskMetrics struct {
	mu     sync.Mutex
	labels []string
	bodies [][]byte
}

// Negative: a piece of a job's name kept in long-lived labels: the name is short, keeping all
// of it costs nothing worth a finding.
func (m *taskMetrics) addDispatchLabel(j *job) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if strings.Contains(j.Name, "/dispatch-") {
		// ok: subslice-retained
		m.labels = append(m.labels, strings.Split(j.Name, "/dispatch-")[1])
	}
}

// Positive: a piece of the job's payload kept the same way retains the whole payload.
func (m *taskMetrics) addHeader(j *job) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// ruleid: subslice-retained
	m.bodies = append(m.bodies, j.Payload[:16])
}

// Negative: an arena: the owner keeps the whole buffer itself, and its cache points into it
// by design (nothing extra is retained).
type obfuscator struct {
	buf   []byte
	cache map[string]string
}

func (o *obfuscator) obfuscate(v string, digest []byte) string {
	buf := o.buf
	n := len(buf)
	buf = append(buf, digest...)
	o.buf = buf
	// ok: subslice-retained
	o.cache[v] = bytesutil.ToUnsafeString(buf[n:])
	return o.cache[v]
}

// Positive: the same view of a buffer the owner does not keep: the cache retains it alone.
func (o *obfuscator) obfuscateScratch(v string, scratch []byte) string {
	// ruleid: subslice-retained
	o.cache[v] = bytesutil.ToUnsafeString(scratch[4:])
	return o.cache[v]
}

// Negative: the queue is refilled wholesale when drained (a batch iterator): what a pop leaves
// behind lives only until the next batch replaces the array.
type batchIter struct {
	mu  sync.Mutex
	buf []*job
	src chan []*job
}

func (it *batchIter) next() *job {
	if len(it.buf) == 0 {
		entries := <-it.src
		it.buf = entries
	}
	j := it.buf[0]
	// ok: subslice-retained
	it.buf = it.buf[1:]
	return j
}

// Positive: the same queue refilled by append keeps the popped prefix until it reallocates.
type backlog struct {
	mu    sync.Mutex
	items []*job
	src   chan []*job
}

func (b *backlog) next() *job {
	if len(b.items) == 0 {
		b.items = append(b.items, <-b.src...)
	}
	j := b.items[0]
	// ruleid: subslice-retained
	b.items = b.items[1:]
	return j
}

// Positive: pieces of a request body read here, kept in a package map: the whole body stays.
var productNames = map[string]string{}
var productsMu sync.Mutex

func importCatalog(body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	productsMu.Lock()
	defer productsMu.Unlock()
	for _, row := range strings.Split(string(raw), "\n") {
		cols := strings.SplitN(row, ",", 3)
		if len(cols) < 3 {
			continue
		}
		// ruleid: subslice-retained
		productNames[cols[0]] = cols[1]
	}
	return nil
}

// Negative: the pieces are cloned before they are kept.
func importCatalogCloned(body io.Reader) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	productsMu.Lock()
	defer productsMu.Unlock()
	for _, row := range strings.Split(string(raw), "\n") {
		cols := strings.SplitN(row, ",", 3)
		if len(cols) < 3 {
			continue
		}
		// ok: subslice-retained
		productNames[strings.Clone(cols[0])] = strings.Clone(cols[1])
	}
	return nil
}

// Positive: a 64 KiB read buffer, of which 16 bytes are kept per session.
type sessionTable struct {
	mu       sync.Mutex
	sessions map[string][]byte
}

func (t *sessionTable) handshake(conn io.Reader, id string) error {
	buf := make([]byte, 64<<10)
	if _, err := io.ReadFull(conn, buf[:4096]); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	// ruleid: subslice-retained
	t.sessions[id] = buf[:16]
	return nil
}

// Positive: a regexp submatch is a slice of the whole manifest.
var versionRe = regexp.MustCompile(`"version":\s*"([^"]+)"`)

type manifestCache struct {
	mu       sync.Mutex
	versions map[string][]byte
}

func (c *manifestCache) record(name string, manifest []byte) {
	m := versionRe.FindSubmatch(manifest)
	if m == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// ruleid: subslice-retained
	c.versions[name] = m[1]
}

// Negative: the submatch copied.
func (c *manifestCache) recordCopy(name string, manifest []byte) {
	m := versionRe.FindSubmatch(manifest)
	if m == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// ok: subslice-retained
	c.versions[name] = bytes.Clone(m[1])
}
