// Package server is the HTTP service: each leak planted here has a bounded twin next to it.
package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync"
	"time"

	"example.com/leaky/internal/configsdk"
	"example.com/leaky/internal/ingest"
	"example.com/leaky/internal/jobs"
	"example.com/leaky/internal/kv"
	"example.com/leaky/internal/metrics"
)

// BodySize is the size of the buffer an ingested record is read into.
const BodySize = 64 << 10

var (
	requests = metrics.NewCounterVec(metrics.CounterOpts{
		Name: "leaky_http_requests_total",
		Help: "HTTP requests by path.",
	}, []string{"path"})
	jobsDone = metrics.NewCounterVec(metrics.CounterOpts{
		Name: "leaky_jobs_total",
		Help: "Jobs run by kind.",
	}, []string{"kind"})
)

// recentPrefixes maps a record ID to the first bytes of its body.
var recentPrefixes sync.Map

// Server holds the service's long-lived parts.
type Server struct {
	endpoint string
	store    *kv.Store
	pool     *jobs.Pool
	ring     ingest.Ring
	flags    sync.Map
	reg      *metrics.Registry
}

// New returns a server whose clients talk to endpoint.
func New(endpoint string) *Server {
	reg := metrics.NewRegistry()
	reg.MustRegister(requests, jobsDone)
	return &Server{endpoint: endpoint, store: kv.Open(), pool: jobs.NewPool(4, 64), reg: reg}
}

// Handler routes the service, /metrics and /debug/pprof/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /lookup/{id}", s.counted(http.HandlerFunc(s.lookup)))
	mux.Handle("GET /profile/{id}", s.counted(http.HandlerFunc(s.profile)))
	mux.HandleFunc("POST /ingest/{id}", s.ingest)
	mux.HandleFunc("POST /ingest-bounded/{id}", s.ingestBounded)
	mux.HandleFunc("GET /jobs", s.runJob)
	mux.Handle("GET /metrics", s.reg.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// counted labels the request counter with the raw path: one series per distinct URL.
func (s *Server) counted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// planted: unbounded-label
		requests.WithLabelValues(r.URL.Path).Inc()
		next.ServeHTTP(w, r)
	})
}

// lookup creates a client per request and never closes it: two goroutines left per call.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) {
	// planted: unclosed-client
	client, err := configsdk.NewClient(r.Context(), s.endpoint)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	v, err := client.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, v)
}

// control: profile is lookup done right: the client is closed when the request ends.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	client, err := configsdk.NewClient(r.Context(), s.endpoint)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer client.Close()
	v, err := client.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, v)
}

// ingest reads a record and remembers its first bytes, keeping the whole body buffer alive.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	body := make([]byte, BodySize)
	n, err := io.ReadFull(r.Body, body)
	if err != nil && err != io.ErrUnexpectedEOF {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if n < 16 {
		http.Error(w, "short record", http.StatusBadRequest)
		return
	}
	// planted: subslice-retained
	recentPrefixes.Store(r.PathValue("id"), body[:16])
	fmt.Fprintln(w, n)
}

// control: ingestBounded is ingest done right: a copy of the prefix, in a ring of fixed size.
func (s *Server) ingestBounded(w http.ResponseWriter, r *http.Request) {
	body := make([]byte, BodySize)
	n, err := io.ReadFull(r.Body, body)
	if err != nil && err != io.ErrUnexpectedEOF {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if n < 16 {
		http.Error(w, "short record", http.StatusBadRequest)
		return
	}
	s.ring.Put(bytes.Clone(body[:16]))
	fmt.Fprintln(w, s.ring.Len())
}

// control: runJob runs a job on the fixed pool, labelled with one of three kinds.
func (s *Server) runJob(w http.ResponseWriter, r *http.Request) {
	kind := jobKind(r.URL.Query().Get("kind"))
	done := make(chan struct{})
	if !s.pool.Submit(func() {
		jobsDone.WithLabelValues(kind).Inc()
		close(done)
	}) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	select {
	case <-done:
		fmt.Fprintln(w, kind)
	case <-r.Context().Done():
	}
}

// jobKind maps the requested kind onto the three the service knows.
func jobKind(k string) string {
	switch k {
	case "resize":
		return "resize"
	case "encode":
		return "encode"
	default:
		return "other"
	}
}

// Reload re-reads the feature flags on every tick, starting a new watch each time and never
// cancelling it: one parked goroutine per tick.
func (s *Server) Reload(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// planted: repeated-watch
			ch := s.store.Watch(ctx, "/config/flags")
			ev := <-ch
			s.flags.Store(ev.Key, ev.Value)
		}
	}
}

// control: ReloadBounded is Reload done right: each watch has its own context, cancelled after use.
func (s *Server) ReloadBounded(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			wctx, cancel := context.WithCancel(ctx)
			ev := <-s.store.Watch(wctx, "/config/limits")
			cancel()
			s.flags.Store(ev.Key, ev.Value)
		}
	}
}

// Stats is a line for the log.
func (s *Server) Stats() string {
	n := 0
	recentPrefixes.Range(func(_, _ any) bool { n++; return true })
	return "records=" + strconv.Itoa(n)
}
