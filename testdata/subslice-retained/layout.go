package retain

import "bytes"

// Files a rule can only match declaration by declaration are parsed that way; these cases pin
// that the split follows Go's lexical structure, not just lines that start with `func`.

/*
Commented-out code is not code, even when a line of it starts with `func`:

func commentedOut(req *Request) {
	cache.Store(req.Id, req.Msg[:1])
}
*/

// A raw string holding Go is not code either.
const template = `
func inTemplate(req *Request) {
	cache.Store(req.Id, req.Msg[:1])
}
`

// Two declarations on one line: the second does not start a line of its own.
var layoutCount = 1; func sameLine(req *Request) {
	// ruleid: subslice-retained
	cache.Store(req.Id, req.Msg[:3])
}

// A block comment that opens on the declaration's own line.
func afterComment(req *Request) { /* note:
func looksLikeADeclaration() {} */
	// ruleid: subslice-retained
	cache.Store(req.Id, req.Msg[2:])
}

// ok: subslice-retained
func clean(req *Request) { cache.Store(req.Id, bytes.Clone(req.Msg[:4])) }
