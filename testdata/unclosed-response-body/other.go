package respbody

import (
	"net/http"

	"example.com/respbody/util"
)

// consume is in util: another package, assumed to close what it is given.
var consume = util.Consume

var _ = http.StatusOK
