package metrics

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"example.com/labels/netutil"
	"github.com/prometheus/client_golang/prometheus"
)

var byHost = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "by_host_total"}, []string{"host", "method"})

// Negative: a table lookup in another package whose result shadows the parameter.
func foldedVerb(w http.ResponseWriter, r *http.Request) {
	verb := netutil.FoldVerb(r.Method)
	// ok: unbounded-label
	byHost.WithLabelValues("any", verb).Inc()
}

// Positive: a token missing from the table is handed back as it came.
func upperVerb(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	byHost.WithLabelValues("any", netutil.UpperVerb(r.Method)).Inc()
}

// tiers is a fixed table of this package.
var tiers = map[string]string{"gold": "gold", "silver": "silver"}

// Negative: the value read out of a package-level table, whatever the key.
func tierOf(w http.ResponseWriter, r *http.Request) {
	// ok: unbounded-label
	byHost.WithLabelValues(tiers[r.Header.Get("X-Tier")], "GET").Inc()
}

type hostPolicy struct {
	allowed map[string]struct{}
	other   bool
}

func (p *hostPolicy) admits(host string) bool {
	_, ok := p.allowed[strings.ToLower(host)]
	return ok || p.other
}

// Negative: the host only becomes a label after an allow-list check on it; the rest share one.
func (p *hostPolicy) serve(w http.ResponseWriter, r *http.Request) {
	labels := prometheus.Labels{"method": "GET"}
	if p.admits(r.Host) {
		labels["host"] = strings.ToLower(r.Host)
	} else {
		labels["host"] = "other"
	}
	// ok: unbounded-label
	byHost.With(labels).Inc()
}

// Positive: the else branch of the allow-list check is exactly the hosts it did not admit.
func (p *hostPolicy) serveInverted(w http.ResponseWriter, r *http.Request) {
	labels := prometheus.Labels{"method": "GET"}
	if p.admits(r.Host) {
		labels["host"] = "listed"
	} else {
		labels["host"] = r.Host
	}
	// ruleid: unbounded-label
	byHost.With(labels).Inc()
}

// Negative: membership in a set, as the `ok` of a map lookup in the if's header.
func (p *hostPolicy) lookup(w http.ResponseWriter, r *http.Request) {
	host := r.Header.Get("X-Forwarded-Host")
	if _, ok := p.allowed[host]; ok {
		// ok: unbounded-label
		byHost.WithLabelValues(host, "GET").Inc()
	}
}

// Negative: hosts outside the list were turned away before.
func (p *hostPolicy) early(w http.ResponseWriter, r *http.Request) {
	if !p.admits(r.Host) {
		http.Error(w, "unknown host", http.StatusMisdirectedRequest)
		return
	}
	// ok: unbounded-label
	byHost.WithLabelValues(r.Host, "GET").Inc()
}

// Negative: a comparison against constants, and a switch with listed cases.
func listed(w http.ResponseWriter, r *http.Request) {
	zone := r.Header.Get("X-Zone")
	if zone == "eu" || zone == "us" {
		// ok: unbounded-label
		byHost.WithLabelValues(zone, "GET").Inc()
	}
	switch zone {
	case "ap", "sa":
		// ok: unbounded-label
		byHost.WithLabelValues(zone, "GET").Inc()
	default:
		// ruleid: unbounded-label
		byHost.WithLabelValues(zone, "GET").Inc()
	}
}

// Positive: checks of the value's form let any value of that form by.
func formChecked(w http.ResponseWriter, r *http.Request) {
	agent := r.Header.Get("X-Agent-Version")
	if !utf8.ValidString(agent) {
		return
	}
	// ruleid: unbounded-label
	byHost.WithLabelValues(agent, "GET").Inc()
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// ruleid: unbounded-label
		byHost.WithLabelValues(r.URL.Path, "GET").Inc()
	}
	if zone := r.Header.Get("X-Zone"); zone != "" {
		// ruleid: unbounded-label
		byHost.WithLabelValues(zone, "GET").Inc()
	}
}

// Positive: the check is on another value than the label.
func (p *hostPolicy) otherValue(w http.ResponseWriter, r *http.Request) {
	if p.admits(r.Host) {
		// ruleid: unbounded-label
		byHost.WithLabelValues(r.Header.Get("X-Forwarded-Host"), "GET").Inc()
	}
}

// Shadowing: the loop's own `key` is not the parameter.
func firstKnown(key string, keys []string) string {
	for _, key := range keys {
		if _, ok := tiers[key]; ok {
			return tiers[key]
		}
	}
	return key
}

// Positive: the helper can hand the caller's key back (after the loop, `key` is the parameter).
func firstKnownTier(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	byHost.WithLabelValues(firstKnown(r.URL.Path, nil), "GET").Inc()
}

type keySet map[string]struct{}

// Add stores k and says whether it was new.
func (s keySet) Add(k string) bool {
	_, had := s[k]
	s[k] = struct{}{}
	return !had
}

// Positive: a call that stores the value and reports success admits every new value.
func firstSeen(w http.ResponseWriter, r *http.Request, seen keySet) {
	key := r.URL.Query().Get("key")
	if seen.Add(key) {
		// ruleid: unbounded-label
		byHost.WithLabelValues(key, "GET").Inc()
	}
}
