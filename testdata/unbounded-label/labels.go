package metrics

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

var requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"path"})
var latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "latency"}, []string{"route", "code"})
var failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "failures_total"}, []string{"reason"})

// Positive: the raw URL path.
func handler(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	requests.WithLabelValues(r.URL.Path).Inc()
}

// Positive: through two local variables.
func handlerLocals(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	label := strings.TrimSuffix(p, "/")
	// ruleid: unbounded-label
	requests.WithLabelValues(label).Inc()
}

// Positive: prometheus.Labels literal with the request URI.
func handlerLabels(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	latency.With(prometheus.Labels{"route": r.RequestURI, "code": "200"}).Observe(1)
}

// Positive: gin path parameter.
func ginUser(c *gin.Context) {
	// ruleid: unbounded-label
	requests.WithLabelValues(c.Param("id")).Inc()
}

// Positive: echo request path.
func echoHandler(c echo.Context) error {
	// ruleid: unbounded-label
	requests.WithLabelValues(c.Request().URL.Path).Inc()
	return nil
}

// Positive: fiber's c.Path() is the actual path.
func fiberHandler(c *fiber.Ctx) error {
	// ruleid: unbounded-label
	requests.WithLabelValues(c.Path()).Inc()
	return nil
}

// Negative: a user or tenant ID by its name alone: in a multi-tenant service it is one of a
// managed set of tenants, not request data.
func charge(userID string, amount int) {
	// ok: unbounded-label
	failures.WithLabelValues(userID).Inc()
}

// Positive: an error message.
func report(err error) {
	// ruleid: unbounded-label
	failures.WithLabelValues(err.Error()).Inc()
}

// Positive: fmt.Sprintf of the path, through a same-package helper.
func normalize(p string) string { return strings.ToLower(p) }

func handlerHelper(w http.ResponseWriter, r *http.Request) {
	key := fmt.Sprintf("%s %s", r.Method, normalize(r.URL.Path))
	// ruleid: unbounded-label
	requests.WithLabelValues(key).Inc()
}

// Positive: a recording helper whose parameter comes from a request path at its call site.
func record(path string, code int) {
	// ruleid: unbounded-label
	latency.WithLabelValues(path, strconv.Itoa(code)).Observe(1)
}

func handlerRecord(w http.ResponseWriter, r *http.Request) {
	record(r.URL.Path, 200)
}

// Positive: a labels map filled in place.
func handlerMap(w http.ResponseWriter, r *http.Request) {
	labels := prometheus.Labels{}
	labels["reason"] = r.Header.Get("X-Reason")
	// ruleid: unbounded-label
	failures.With(labels).Inc()
}

// Positive: request ID field.
type Req struct{ RequestID string }

func handleReq(req *Req) {
	// ruleid: unbounded-label
	failures.WithLabelValues(req.RequestID).Inc()
}

// Positive: client address.
func remote(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	requests.GetMetricWithLabelValues(r.RemoteAddr)
}
