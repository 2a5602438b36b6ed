// Package prometheus is a small stand-in for client_golang's counter vectors: one series per
// distinct label values, written in the text exposition format.
package prometheus

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

type CounterOpts struct {
	Namespace, Subsystem, Name, Help string
}

type Counter struct{ v float64 }

func (c *Counter) Inc() { c.v++ }

type CounterVec struct {
	mu     sync.Mutex
	name   string
	help   string
	labels []string
	series map[string]*Counter
}

var registry []*CounterVec

func BuildFQName(namespace, subsystem, name string) string {
	parts := []string{}
	for _, p := range []string{namespace, subsystem, name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "_")
}

func NewCounterVec(opts CounterOpts, labels []string) *CounterVec {
	v := &CounterVec{name: BuildFQName(opts.Namespace, opts.Subsystem, opts.Name), help: opts.Help, labels: labels, series: map[string]*Counter{}}
	registry = append(registry, v)
	return v
}

func (v *CounterVec) WithLabelValues(values ...string) *Counter {
	v.mu.Lock()
	defer v.mu.Unlock()
	key := strings.Join(values, "\xff")
	c, ok := v.series[key]
	if !ok {
		c = &Counter{}
		v.series[key] = c
	}
	return c
}

// WriteText writes every vector in the text exposition format (what /metrics serves).
func WriteText(w io.Writer) {
	for _, v := range registry {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", v.name, v.help, v.name)
		keys := make([]string, 0, len(v.series))
		for k := range v.series {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals := strings.Split(k, "\xff")
			pairs := make([]string, len(vals))
			for i, val := range vals {
				pairs[i] = fmt.Sprintf("%s=%q", v.labels[i], val)
			}
			fmt.Fprintf(w, "%s{%s} %g\n", v.name, strings.Join(pairs, ","), v.series[k].v)
		}
	}
}
