package mid

import "sync"

var cache sync.Map

type Request struct {
	ID   string
	Msg  []byte
	Line string
}

// Fixed: Go 1.19 has strings.Clone, not bytes.Clone.
func remember(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.ID, req.Msg[:1])
}

// Fixed: strings.Clone exists from Go 1.18.
func rememberLine(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.ID, req.Line[:10])
}
