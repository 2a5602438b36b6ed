module example.com/svc

go 1.22

require (
	github.com/prometheus/client_golang v1.20.0
	go.etcd.io/etcd/client/v3 v3.5.0
)

replace (
	github.com/prometheus/client_golang => ./third_party/prometheus
	go.etcd.io/etcd/client/v3 => ./third_party/etcd
)
