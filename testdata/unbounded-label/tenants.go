package metrics

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/metadata"
)

var perTenant = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "per_tenant_total"}, []string{"tenant", "code"})

type gateway struct {
	tenantHeader  string
	defaultTenant string
}

// Negative: the tenant named by a configured header: a managed set, even with no cleanup here.
func (g *gateway) ingest(w http.ResponseWriter, r *http.Request) {
	tenant := r.Header.Get(g.tenantHeader)
	if tenant == "" {
		tenant = g.defaultTenant
	}
	// ok: unbounded-label
	perTenant.WithLabelValues(tenant, "200").Inc()
	// ok: unbounded-label
	perTenant.WithLabelValues(r.Header.Get("X-Scope-OrgID"), "200").Inc()
}

func tenantFromMetadata(ctx context.Context) (string, bool) {
	md, ok := metadata.FromIncomingContext(ctx)
	if !ok || len(md.Get("tenant")) == 0 {
		return "default", false
	}
	return md.Get("tenant")[0], true
}

// Negative: the tenant of a gRPC call, and per-tenant stats ranged over.
func series(ctx context.Context, stats map[string]int) {
	tenantID, _ := tenantFromMetadata(ctx)
	// ok: unbounded-label
	perTenant.WithLabelValues(tenantID, "200").Inc()
	for tenant := range stats {
		// ok: unbounded-label
		perTenant.WithLabelValues(tenant, "200").Inc()
	}
}

// Positive: another header of the same request is not a tenant.
func (g *gateway) forwarded(w http.ResponseWriter, r *http.Request) {
	// ruleid: unbounded-label
	perTenant.WithLabelValues(r.Header.Get("X-Forwarded-For"), "200").Inc()
}
