package metrics

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"
)

var (
	methodReqs   = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "method_requests_total"}, []string{"method"})
	platformReqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "platform_requests_total"}, []string{"platform"})
	peerRPCs     = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rpc_by_peer_total"}, []string{"peer"})
	hookFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "webhook_failures_total"}, []string{"error"})
	ordersBy     = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "orders_total"}, []string{"customer"})
)

var knownMethods = map[string]struct{}{"GET": {}, "POST": {}, "PUT": {}, "DELETE": {}}

// Negative: normalized first: a known method, or "OTHER".
func countMethod(w http.ResponseWriter, r *http.Request) {
	method := r.Method
	if _, ok := knownMethods[method]; !ok {
		method = "OTHER"
	}
	// ok: unbounded-label
	methodReqs.WithLabelValues(method).Inc()
}

// Positive: the same lookup without the fallback lets any method through.
func countMethodRaw(w http.ResponseWriter, r *http.Request) {
	method := r.Method
	if _, ok := knownMethods[method]; !ok {
		fmt.Println("unknown method", method)
	}
	// ruleid: unbounded-label
	methodReqs.WithLabelValues(method).Inc()
}

// Negative: a switch whose default rewrites anything else to a constant.
func countPlatform(w http.ResponseWriter, r *http.Request) {
	p := r.Header.Get("X-Platform")
	switch p {
	case "ios", "android", "web":
	default:
		p = "other"
	}
	// ok: unbounded-label
	platformReqs.WithLabelValues(p).Inc()
}

// Positive: a switch with no fallback for unknown values.
func countPlatformRaw(w http.ResponseWriter, r *http.Request) {
	p := r.Header.Get("X-Platform")
	switch p {
	case "ios":
		fmt.Println("apple")
	}
	// ruleid: unbounded-label
	platformReqs.WithLabelValues(p).Inc()
}

// Positive: the gRPC peer address (ip:port): a new port per connection.
func peerInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if p, ok := peer.FromContext(ctx); ok {
		// ruleid: unbounded-label
		peerRPCs.WithLabelValues(p.Addr.String()).Inc()
	}
	return handler(ctx, req)
}

// Positive: an error formatted whole carries URLs and addresses.
func deliver(url string, send func(string) error) {
	if err := send(url); err != nil {
		// ruleid: unbounded-label
		hookFailures.WithLabelValues(fmt.Sprintf("%v", err)).Inc()
	}
}

// Negative: an error class, not its text.
func deliverClassified(url string, send func(string) error) {
	if err := send(url); err != nil {
		// ok: unbounded-label
		hookFailures.WithLabelValues(fmt.Sprintf("%T", err)).Inc()
	}
}

type PlaceOrderRequest struct{ CustomerId string }

func (r *PlaceOrderRequest) GetCustomerId() string { return r.CustomerId }
func (r *PlaceOrderRequest) GetRegion() string     { return "eu" }

type ordersServer struct{}

// Positive: a customer ID from the incoming request message: one series per customer.
func (s *ordersServer) PlaceOrder(ctx context.Context, req *PlaceOrderRequest) error {
	// ruleid: unbounded-label
	ordersBy.WithLabelValues(req.GetCustomerId()).Inc()
	return nil
}

// Negative: another field of the same request that is not an identifier.
func (s *ordersServer) PlaceRegional(ctx context.Context, req *PlaceOrderRequest) error {
	// ok: unbounded-label
	ordersBy.WithLabelValues(req.GetRegion()).Inc()
	return nil
}
