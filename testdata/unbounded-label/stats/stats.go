// Package stats declares the fixture module's shared vectors.
package stats

import "github.com/prometheus/client_golang/prometheus"

var (
	BucketRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bucket_requests_total"}, []string{"bucket"})
	ObjectRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "object_requests_total"}, []string{"bucket"})
)

// ForgetBucket drops a deleted bucket's series.
func ForgetBucket(bucket string) {
	BucketRequests.DeletePartialMatch(prometheus.Labels{"bucket": bucket})
}
