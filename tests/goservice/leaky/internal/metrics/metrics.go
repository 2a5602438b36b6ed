// Package metrics is a small stand-in for the Prometheus client (no module proxy in tests):
// counter vectors with the same constructor and WithLabelValues shape, exported in the
// Prometheus text exposition format. Like the real registry, a child series is kept forever.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// CounterOpts names a counter vector.
type CounterOpts struct {
	Name string
	Help string
}

// Counter is one series.
type Counter struct {
	mu sync.Mutex
	v  float64
}

// Inc adds one.
func (c *Counter) Inc() { c.Add(1) }

// Add adds d.
func (c *Counter) Add(d float64) {
	c.mu.Lock()
	c.v += d
	c.mu.Unlock()
}

func (c *Counter) value() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v
}

// CounterVec is a family of counters partitioned by label values.
type CounterVec struct {
	opts     CounterOpts
	labels   []string
	mu       sync.Mutex
	children map[string]*child
}

type child struct {
	values []string
	c      *Counter
}

// NewCounterVec creates a vector with the given label names.
func NewCounterVec(opts CounterOpts, labelNames []string) *CounterVec {
	return &CounterVec{opts: opts, labels: labelNames, children: map[string]*child{}}
}

// WithLabelValues returns the series for the values, creating it (for good) if it is new.
func (v *CounterVec) WithLabelValues(values ...string) *Counter {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("metrics: %s: %d label values for %d labels", v.opts.Name, len(values), len(v.labels)))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	ch, ok := v.children[key]
	if !ok {
		ch = &child{values: append([]string(nil), values...), c: &Counter{}}
		v.children[key] = ch
	}
	return ch.c
}

// Registry holds the vectors /metrics exports.
type Registry struct {
	mu   sync.Mutex
	vecs []*CounterVec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// MustRegister adds vectors.
func (r *Registry) MustRegister(vs ...*CounterVec) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.vecs = append(r.vecs, vs...)
}

// Handler serves the registry in the text exposition format (version 0.0.4).
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.mu.Lock()
		vecs := append([]*CounterVec(nil), r.vecs...)
		r.mu.Unlock()
		for _, v := range vecs {
			v.write(w)
		}
	})
}

func (v *CounterVec) write(w io.Writer) {
	v.mu.Lock()
	keys := make([]string, 0, len(v.children))
	for k := range v.children {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rows := make([]*child, len(keys))
	for i, k := range keys {
		rows[i] = v.children[k]
	}
	v.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", v.opts.Name, escapeHelp(v.opts.Help), v.opts.Name)
	for _, ch := range rows {
		var b strings.Builder
		for i, name := range v.labels {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s=\"%s\"", name, escapeValue(ch.values[i]))
		}
		fmt.Fprintf(w, "%s{%s} %g\n", v.opts.Name, b.String(), ch.c.value())
	}
}

func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
