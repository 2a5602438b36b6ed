package metrics

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// Negative: gin route template.
func ginRoute(c *gin.Context) {
	// ok: unbounded-label
	requests.WithLabelValues(c.FullPath()).Inc()
}

// Negative: gorilla route template.
func muxRoute(w http.ResponseWriter, r *http.Request) {
	tpl, _ := mux.CurrentRoute(r).GetPathTemplate()
	// ok: unbounded-label
	requests.WithLabelValues(tpl).Inc()
}

// Negative: echo's c.Path() is the registered route.
func echoRoute(c echo.Context) error {
	// ok: unbounded-label
	requests.WithLabelValues(c.Path()).Inc()
	return nil
}

// Negative: chi route pattern.
func chiRoute(w http.ResponseWriter, r *http.Request) {
	pattern := chi.RouteContext(r.Context()).RoutePattern()
	// ok: unbounded-label
	requests.WithLabelValues(pattern).Inc()
}

// Negative: status code, and the method once other methods were turned away, are bounded.
func status(w http.ResponseWriter, r *http.Request, code int) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return
	}
	// ok: unbounded-label
	latency.WithLabelValues(r.Method, strconv.Itoa(code)).Observe(1)
	// ok: unbounded-label
	latency.WithLabelValues("x", http.StatusText(code)).Observe(1)
}

// Negative: a switch maps paths to constants.
func classify(w http.ResponseWriter, r *http.Request) {
	route := "other"
	switch r.URL.Path {
	case "/login":
		route = "login"
	case "/logout":
		route = "logout"
	}
	// ok: unbounded-label
	requests.WithLabelValues(route).Inc()
}

// Negative: lookup into a fixed map.
var knownRoutes = map[string]string{"/a": "a", "/b": "b"}

func fixed(w http.ResponseWriter, r *http.Request) {
	// ok: unbounded-label
	requests.WithLabelValues(knownRoutes[r.URL.Path]).Inc()
}

// Negative: an error class, not its message.
func reportClass(err error) {
	reason := "unknown"
	if errors.Is(err, io.EOF) {
		reason = "eof"
	}
	// ok: unbounded-label
	failures.WithLabelValues(reason).Inc()
}

// Negative: constant labels.
func constant() {
	// ok: unbounded-label
	latency.With(prometheus.Labels{"route": "/health", "code": "200"}).Observe(1)
}

// Negative: a config host is not request data.
type Config struct{ Host string }

func upstream(cfg Config) {
	// ok: unbounded-label
	requests.WithLabelValues(cfg.Host).Inc()
}

// Negative: a helper parameter only ever called with constants.
func recordRoute(route string) {
	// ok: unbounded-label
	requests.WithLabelValues(route).Inc()
}

func wire(w http.ResponseWriter, r *http.Request) {
	recordRoute("/api/v1/items")
}

// Negative: a DB query result is not a request source.
type DB struct{}

func (DB) Query(string) string { return "" }

func dbLabel(db DB) {
	// ok: unbounded-label
	requests.WithLabelValues(db.Query("select name")).Inc()
}
