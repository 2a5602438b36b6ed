package clone

import (
	"io"
	"strings"
	"sync"
	"unsafe"
)

type Request struct {
	ID   string
	Msg  []byte
	Line string
	Blob Blob
}

type Blob []byte

var cache sync.Map
var byPrefix = map[string]string{}
var recent [][]byte
var names []string

// Fixed: a []byte field of a parameter (bytes.Clone, and the import added in the std group).
func remember(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.ID, req.Msg[:1])
}

// Fixed: through a local variable: the stored value is copied.
func rememberHeader(req *Request) {
	head := req.Msg[:16]
	// ruleid: subslice-retained
	cache.Store(req.ID, head)
}

// Fixed: a sub-string used as a map key.
func index(line string) {
	// ruleid: subslice-retained
	byPrefix[line[:8]] = "seen"
}

// Fixed: appended to a package-level slice.
func keep(buf []byte, n int) {
	// ruleid: subslice-retained
	recent = append(recent, buf[:n])
}

type entry struct{ data []byte }

// Fixed: the piece inside a struct literal is copied, not the literal.
func load(r io.Reader, key string) {
	buf := make([]byte, 64*1024)
	n, _ := r.Read(buf)
	// ruleid: subslice-retained
	cache.Store(key, entry{data: buf[:n]})
}

// Fixed: a field of a string piece of a Split.
func firstField(req *Request) {
	parts := strings.Split(req.Line, ",")
	// ruleid: subslice-retained
	names = append(names, parts[0])
}

// Not fixed: a named byte-slice type (bytes.Clone would change the stored type).
func rememberBlob(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.ID, req.Blob[:4])
}

// Not fixed: the type of the sliced value is not known here.
func rememberOther(id string, v interface{ Raw() []byte }) {
	raw := v.Raw()
	// ruleid: subslice-retained
	cache.Store(id, raw[:8])
}

// Not fixed: a view of unknown element type.
func rememberView(id string, p *byte, n int) {
	// ruleid: subslice-retained
	cache.Store(id, unsafe.Slice(p, n))
}

// Not fixed: `bytes` is a local variable here, bytes.Clone would not compile.
func shadowed(req *Request) {
	bytes := len(req.Msg)
	if bytes > 4 {
		// ruleid: subslice-retained
		cache.Store(req.ID, req.Msg[:4])
	}
}

// Not fixed: `strings` is a parameter.
func shadowedParam(strings []string, line string) {
	_ = strings
	// ruleid: subslice-retained
	byPrefix[line[:2]] = "x"
}

// Not reported: already a copy.
func copied(req *Request) {
	// ok: subslice-retained
	cache.Store(req.ID, strings.Clone(req.Line[:4]))
}
