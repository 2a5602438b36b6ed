package old

import "sync"

var cache sync.Map

type Request struct {
	ID   string
	Msg  []byte
	Line string
}

// Fixed: Go 1.17 has neither bytes.Clone nor strings.Clone.
func remember(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.ID, req.Msg[:1])
}

// Fixed: the string is copied through a byte slice.
func rememberLine(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.ID, req.Line[:10])
}
