package metrics

import (
	"net/http"

	"example.com/labels/netutil"
	"example.com/labels/stats"
)

// A storage API labels requests by the bucket named in the route.
func bucketRequest(w http.ResponseWriter, r *http.Request) {
	bucket, _ := netutil.BucketAndKey(r)
	// ok: unbounded-label
	stats.BucketRequests.WithLabelValues(bucket).Inc()
	// ruleid: unbounded-label
	stats.ObjectRequests.WithLabelValues(bucket).Inc()
}

// Positive: the object key, the second named result.
func keyRequest(w http.ResponseWriter, r *http.Request) {
	_, key := netutil.BucketAndKey(r)
	// ruleid: unbounded-label
	stats.ObjectRequests.WithLabelValues(key).Inc()
}
