package metrics

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
)

var searches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "searches_total"}, []string{"q"})

// Positive: a gin query parameter.
func ginSearch(c *gin.Context) {
	// ruleid: unbounded-label
	searches.WithLabelValues(c.Query("q")).Inc()
}

// Positive: an echo path parameter through a local.
func echoItem(c echo.Context) error {
	id := c.Param("id")
	// ruleid: unbounded-label
	requests.WithLabelValues(id).Inc()
	return nil
}

// Positive: fasthttp's raw path.
func fastPath(ctx *fasthttp.RequestCtx) {
	// ruleid: unbounded-label
	requests.WithLabelValues(string(ctx.Path())).Inc()
}

// Positive: a URL query value.
func queryValue(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	searches.WithLabelValues(r.URL.Query().Get("q")).Inc()
}

// Positive: a request header.
func userAgent(w http.ResponseWriter, req *http.Request) {
	ua := req.Header.Get("User-Agent")
	// ruleid: unbounded-label
	requests.WithLabelValues(ua).Inc()
}

// Positive: a path segment is still unbounded.
func segment(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.URL.Path, "/")
	// ruleid: unbounded-label
	requests.WithLabelValues(parts[1]).Inc()
}

// Positive: gorilla path variables.
func muxVars(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	// ruleid: unbounded-label
	requests.WithLabelValues(vars["id"]).Inc()
}

// Positive: CurryWith a raw path.
func curry(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	latency.MustCurryWith(prometheus.Labels{"route": r.URL.Path}).WithLabelValues("200").Observe(1)
}

// Positive: a session ID formatted into the label.
func session(sessionID string) {
	// ruleid: unbounded-label
	failures.WithLabelValues(fmt.Sprint("s-", sessionID)).Inc()
}

// Negative: a response status code.
func statusCode(resp *http.Response) {
	// ok: unbounded-label
	latency.WithLabelValues("upstream", strconv.Itoa(resp.StatusCode)).Observe(1)
}

// Negative: the gin route template through a variable.
func ginTemplate(c *gin.Context) {
	route := c.FullPath()
	// ok: unbounded-label
	requests.WithLabelValues(route).Inc()
}

// Negative: an error class decided by a type switch.
func errorClass(err error) {
	var reason string
	switch err.(type) {
	case *strconv.NumError:
		reason = "parse"
	default:
		reason = "other"
	}
	// ok: unbounded-label
	failures.WithLabelValues(reason).Inc()
}

// Negative: CurryWith a constant.
func curryConst() {
	// ok: unbounded-label
	latency.MustCurryWith(prometheus.Labels{"route": "/health"}).WithLabelValues("200").Observe(1)
}

// Positive: the request method is whatever token the client sends, not one of a handful.
func method(w http.ResponseWriter, r *http.Request) {
	m := strings.ToUpper(r.Method)
	// ruleid: unbounded-label
	requests.WithLabelValues(m).Inc()
}

// Negative: a known-route lookup with a default.
var routeNames = map[string]string{"/": "root", "/login": "login"}

func named(w http.ResponseWriter, r *http.Request) {
	name, ok := routeNames[r.URL.Path]
	if !ok {
		name = "unknown"
	}
	// ok: unbounded-label
	requests.WithLabelValues(name).Inc()
}

// Negative: the echo route.
func echoRoute2(c echo.Context) error {
	// ok: unbounded-label
	latency.With(prometheus.Labels{"route": c.Path(), "code": strconv.Itoa(http.StatusOK)}).Observe(1)
	return nil
}

// Negative: an OpenTelemetry-style attribute key's With(value) makes one attribute for a span
// or a labeler, not a Prometheus series.
type attrKey string

func (k attrKey) With(v string) [2]string { return [2]string{string(k), v} }

var routeTagKey = attrKey("route.tag")

func tagged(w http.ResponseWriter, r *http.Request) {
	tag := r.Header.Get("X-Route-Tag")
	// ok: unbounded-label
	_ = routeTagKey.With(tag)
}
