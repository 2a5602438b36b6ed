package clone

// Fixed: a file without imports gets an import declaration.
func rememberMsg(req *Request) {
	// ruleid: subslice-retained
	recent = append(recent, req.Msg[4:])
}
