// A small service with one of each leak goplumber looks for (used by the README's first command).
package main

import (
	"context"
	"net/http"
	"sync"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"github.com/prometheus/client_golang/prometheus"
	clientv3 "go.etcd.io/etcd/client/v3"
)

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "requests_total"}, []string{"path"})
	cache    sync.Map
)

type Request struct {
	Id  string
	Msg []byte
}

func accessSecret(w http.ResponseWriter, r *http.Request) {
	requests.WithLabelValues(r.URL.Path).Inc()
	client, err := secretmanager.NewClient(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = client.AccessSecretVersion(r.Context(), nil)
}

func store(req *Request) {
	cache.Store(req.Id, req.Msg[:1])
}

func consume(in <-chan *Request) {
	for {
		select {
		case req := <-in:
			store(req)
		case <-time.After(5 * time.Minute):
			return
		}
	}
}

func reload(ctx context.Context, cli *clientv3.Client) {
	ch := cli.Watch(ctx, "/config")
	go func() {
		for range ch {
		}
	}()
}

func main() {
	cli, _ := clientv3.New(clientv3.Config{})
	go func() {
		for range time.Tick(time.Minute) {
			reload(context.Background(), cli)
		}
	}()
	http.HandleFunc("/secret", accessSecret)
	_ = http.ListenAndServe(":8080", nil)
}
