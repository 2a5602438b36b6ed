package metrics

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"

	"example.com/labels/netutil"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"
)

var (
	clients  = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "clients_total"}, []string{"client"})
	agents   = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "agents_total"}, []string{"agent"})
	traces   = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "traced_total"}, []string{"trace"})
	byMethod = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "by_method_total"}, []string{"method"})
)

// Positive: the peer's host, split off the socket address.
func peerHost(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	// ruleid: unbounded-label
	clients.WithLabelValues(host).Inc()
}

// Positive: a helper of another package of the module reads the forwarding header.
func forwarded(w http.ResponseWriter, r *http.Request) {
	ip := netutil.ClientIP(r)
	// ruleid: unbounded-label
	clients.WithLabelValues(ip).Inc()
}

// Negative: the other package's helper answers yes or no.
func internalOnly(w http.ResponseWriter, r *http.Request) {
	// ok: unbounded-label
	clients.WithLabelValues(strconv.FormatBool(netutil.IsInternal(r))).Inc()
}

// Negative: the other package's helper returns one of three constants.
func protocol(w http.ResponseWriter, r *http.Request) {
	// ok: unbounded-label
	clients.WithLabelValues(netutil.Protocol(r)).Inc()
}

// Positive: a value from the caller's gRPC metadata.
func fromMetadata(ctx context.Context) {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok {
		return
	}
	name := "unknown"
	if vals := md.Get("x-client-name"); len(vals) > 0 {
		name = vals[0]
	}
	// ruleid: unbounded-label
	clients.WithLabelValues(name).Inc()
}

// Positive: an http.Header handed to a helper.
func recordOrg(h http.Header) {
	org := h.Get("X-Org")
	// ruleid: unbounded-label
	clients.WithLabelValues(org).Inc()
}

// Positive: every query parameter name becomes a label value.
func queryKeys(w http.ResponseWriter, r *http.Request) {
	for key := range r.URL.Query() {
		// ruleid: unbounded-label
		clients.WithLabelValues(key).Inc()
	}
}

// Positive: the query values, read through a local.
func queryLocal(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// ruleid: unbounded-label
	clients.WithLabelValues(q.Get("source")).Inc()
}

// Positive: paths counted in a map first, exported later from its keys.
func batchPaths(reqs []*http.Request) {
	seen := map[string]int{}
	for _, req := range reqs {
		seen[req.URL.Path]++
	}
	for p, n := range seen {
		// ruleid: unbounded-label
		clients.WithLabelValues(p).Add(float64(n))
	}
}

// Positive: the user agent of a fasthttp request.
func fastAgent(ctx *fasthttp.RequestCtx) {
	// ruleid: unbounded-label
	agents.WithLabelValues(string(ctx.UserAgent())).Inc()
}

// Positive: the user agent of a gin request.
func ginAgent(c *gin.Context) {
	ua := strings.ToLower(c.Request.UserAgent())
	// ruleid: unbounded-label
	agents.WithLabelValues(ua).Inc()
}

// Positive: the trace ID of the current span.
func traced(ctx context.Context) {
	span := trace.SpanFromContext(ctx)
	// ruleid: unbounded-label
	traces.WithLabelValues(span.SpanContext().TraceID().String()).Inc()
}

// Negative: whether the span is sampled is a yes or no.
func sampled(ctx context.Context) {
	sc := trace.SpanContextFromContext(ctx)
	// ok: unbounded-label
	traces.WithLabelValues(strconv.FormatBool(sc.IsSampled())).Inc()
}

// Positive: an instrumenting middleware labels by the raw method, which a client can make up.
func instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		// ruleid: unbounded-label
		byMethod.WithLabelValues(r.Method).Inc()
	})
}

// Negative: a transport labels the method of requests it sends itself.
type countingTransport struct{ next http.RoundTripper }

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// ok: unbounded-label
	byMethod.WithLabelValues(req.Method).Inc()
	return t.next.RoundTrip(req)
}

// Negative: only the methods the switch lists reach the label.
func dispatch(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		// ok: unbounded-label
		byMethod.WithLabelValues(r.Method).Inc()
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// Negative: the handler turned away every other method first.
func postOnly(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	// ok: unbounded-label
	byMethod.WithLabelValues(r.Method).Inc()
}

// Helpers on the server's own receiver.
type server struct{ name string }

func (s *server) caller(r *http.Request) string {
	return r.Header.Get("X-Caller")
}

func (s *server) kind(r *http.Request) string {
	if r.TLS != nil {
		return "tls"
	}
	return "plain"
}

// Positive: a method on the same receiver returns a header.
func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	clients.WithLabelValues(s.caller(r)).Inc()
	// ok: unbounded-label
	clients.WithLabelValues(s.kind(r)).Inc()
}

// go-kit style metrics take label pairs.
type kitCounter interface {
	With(labelValues ...string) kitCounter
	Add(delta float64)
}

type kitLogger interface{ With(keyvals ...any) kitLogger }

type middleware struct {
	reqsCounter kitCounter
	logger      kitLogger
	base        []string
}

func methodOf(r *http.Request) string {
	if r.Method == "" {
		return "GET"
	}
	return r.Method
}

func methodKnown(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete:
		return r.Method
	default:
		return "OTHER"
	}
}

// Positive: the raw method reaches a go-kit counter through a label slice.
func (m *middleware) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	labels := append([]string{}, m.base...)
	labels = append(labels, "method", methodOf(req))
	// ruleid: unbounded-label
	m.reqsCounter.With(labels...).Add(1)
	// ok: unbounded-label
	m.reqsCounter.With("method", methodKnown(req)).Add(1)
	// ok: unbounded-label
	m.logger.With("path", req.URL.Path)
}

// A service's own counter that adds configured request headers as labels.
type headerCounter struct {
	vec     *prometheus.CounterVec
	headers map[string]string // label name -> header name
}

func (c *headerCounter) With(h http.Header, labelValues ...string) *headerCounter {
	for label, name := range c.headers {
		labelValues = append(labelValues, label, h.Get(name))
	}
	// ruleid: unbounded-label
	c.vec.WithLabelValues(labelValues...).Inc()
	return c
}

// Negative: a call handed a whole header is the wrapper above, not go-kit's With of strings:
// its sink is reported in its body.
func countedWithHeaders(w http.ResponseWriter, req *http.Request, reqCounter *headerCounter) {
	// ok: unbounded-label
	reqCounter.With(req.Header, "code", "200")
}

// parse returns the caller's header and a fixed format name.
func parse(r *http.Request) (string, string, error) {
	return r.Header.Get("X-Shard"), "protobuf", nil
}

// Negative: only the second result, a constant, is the label.
func parsed(w http.ResponseWriter, r *http.Request) {
	_, format, err := parse(r)
	if err != nil {
		return
	}
	// ok: unbounded-label
	clients.WithLabelValues(format).Inc()
}

type zapLogger interface{ With(fields ...any) zapLogger }

func zapString(k, v string) any { return k + v }

// Negative: a logger's With takes request fields as it likes.
func logged(logger zapLogger, r *http.Request) {
	// ok: unbounded-label
	logger.With(zapString("path", r.URL.Path))
}

type codec interface {
	Encode(ctx context.Context, query string) (*http.Request, error)
}

// Negative: the method of a request the code built to send upstream.
func fanOut(ctx context.Context, c codec, query string) {
	upstream, err := c.Encode(ctx, query)
	if err != nil {
		return
	}
	// ok: unbounded-label
	byMethod.WithLabelValues(upstream.Method).Inc()
	req, _ := c.Encode(ctx, query)
	// ok: unbounded-label
	byMethod.WithLabelValues(req.Method).Inc()
}

// Positive: gin's request method.
func ginMethod(c *gin.Context) {
	// ruleid: unbounded-label
	byMethod.WithLabelValues(c.Request.Method).Inc()
}

// Negative: a fan-out helper gets the upstream request it is about to send.
func sendUpstream(client *http.Client, httpReq *http.Request) {
	// ok: unbounded-label
	byMethod.WithLabelValues(httpReq.Method).Inc()
	if resp, err := client.Do(httpReq); err == nil {
		resp.Body.Close()
	}
}
