package metrics

import (
	"net/http"
	"net/url"

	"github.com/prometheus/client_golang/prometheus"
)

// Per-peer series that a peer's disconnect deletes again.
type peerMetrics struct {
	ingested  *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	inflight  *prometheus.GaugeVec
	lastPush  *prometheus.GaugeVec
	queueSize *prometheus.GaugeVec
}

func (m *peerMetrics) forget(peer string) {
	m.ingested.DeleteLabelValues(peer)
	m.inflight.DeletePartialMatch(prometheus.Labels{"peer": peer})
}

func (m *peerMetrics) resetAll() {
	m.lastPush.Reset()
}

// Negative: the vector is pruned by DeleteLabelValues when the peer goes away.
func (m *peerMetrics) push(w http.ResponseWriter, r *http.Request) {
	peer := r.RemoteAddr
	// ok: unbounded-label
	m.ingested.WithLabelValues(peer).Inc()
	// ok: unbounded-label
	m.inflight.With(prometheus.Labels{"peer": peer, "op": "push"}).Inc()
	// ok: unbounded-label
	m.lastPush.WithLabelValues(peer).SetToCurrentTime()
	// ruleid: unbounded-label
	m.rejected.WithLabelValues(peer).Inc()
}

// Positive: nothing deletes this vector's series (a gauge set is not a delete).
func (m *peerMetrics) queued(w http.ResponseWriter, r *http.Request) {
	peer := r.Header.Get("X-Forwarded-For")
	// ruleid: unbounded-label
	m.queueSize.WithLabelValues(peer).Set(0)
	// ruleid: unbounded-label
	m.queueSize.WithLabelValues(peer).Inc()
}

// A package-level vector dropped with Delete and unregistered elsewhere.
var (
	perPath  = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "per_path_total"}, []string{"path"})
	perQuery = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "per_query_total"}, []string{"q"})
)

func dropPath(p string) { perPath.Delete(prometheus.Labels{"path": p}) }

func shutdown(reg prometheus.Registerer) { reg.Unregister(perQuery) }

// Negative: deleted by Delete.
func pathHits(w http.ResponseWriter, r *http.Request) {
	// ok: unbounded-label
	perPath.WithLabelValues(r.URL.Path).Inc()
	// ok: unbounded-label
	perQuery.WithLabelValues(r.URL.RawQuery).Inc()
}

// Configuration is set by the operator, not by traffic.
type remoteConfig struct {
	URL  *url.URL
	Name string
}

type sender struct {
	cfg  remoteConfig
	sent *prometheus.CounterVec
}

// Negative: the endpoint's URL comes from the configuration.
func newSender(conf remoteConfig) *sender {
	s := &sender{cfg: conf}
	// ok: unbounded-label
	s.sent.WithLabelValues(conf.URL.String()).Add(0)
	// ok: unbounded-label
	s.sent.WithLabelValues(s.cfg.Name).Add(0)
	return s
}

// A result struct: only the field the label reads matters.
type comparison struct {
	CorrelationID string
	Outcome       string
}

func compare(id string, equal bool) comparison {
	res := comparison{CorrelationID: id, Outcome: "match"}
	if !equal {
		res.Outcome = "mismatch"
	}
	return res
}

// Negative: the outcome is a constant, though the struct also holds a request ID.
func compared(w http.ResponseWriter, r *http.Request) {
	res := compare(r.Header.Get("X-Request-Id"), true)
	// ok: unbounded-label
	perQuery.WithLabelValues(res.Outcome).Inc()
	// ruleid: unbounded-label
	clients.WithLabelValues(res.CorrelationID).Inc()
}

// A message frame: one method reports its kind, another its ID.
type ackFrame struct{ ID string }

func (a ackFrame) Kind() string { return "ack" }

func (a ackFrame) Key() string { return "ack-" + a.ID }

func send(queue []ackFrame, f ackFrame) []ackFrame { return append(queue, f) }

// Negative: the kind of a frame that carries a request ID is still one of a few kinds.
func acknowledge(w http.ResponseWriter, r *http.Request) {
	frame := ackFrame{ID: r.Header.Get("X-Request-Id")}
	// ok: unbounded-label
	perQuery.WithLabelValues(frame.Kind()).Inc()
	// ruleid: unbounded-label
	clients.WithLabelValues(frame.Key()).Inc()
	send(nil, frame)
}
