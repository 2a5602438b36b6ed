package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

// Loops that start a new watch only after the previous one ended, and the opposite.

type taskSets interface {
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

// Negative: a Kubernetes-style agent. The result channel is read until the server closes it,
// then the loop watches again; the returns inside the range leave the outer loop as well, so at
// most one watch is ever alive (one per call of run, which runs once).
func runAgent(ctx context.Context, sets taskSets, name string, work chan<- string) error {
	for {
		// ok: repeated-watch
		w, err := sets.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
		if err != nil {
			return err
		}
		for ev := range w.ResultChan() {
			if ev.Type == watch.Deleted {
				return nil
			}
			if ev.Object == nil {
				return errors.New("empty event")
			}
			work <- name
		}
	}
}

// Positive: the same reading loop, but leaving it with `break` goes round the outer loop and
// watches again while the abandoned watch still runs.
func runAgentLeaky(ctx context.Context, sets taskSets, name string, work chan<- string) error {
	for {
		// ruleid: repeated-watch
		w, err := sets.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
		if err != nil {
			return err
		}
		for ev := range w.ResultChan() {
			if ev.Type == watch.Modified {
				break
			}
			work <- name
		}
	}
}

type eventBus interface {
	Subscribe(mask int) subscription
}

type subscription interface {
	C() <-chan string
	Unsubscribe()
}

type bufferedSub struct {
	sub  subscription
	size int
}

func newBufferedSub(sub subscription, size int) *bufferedSub { return &bufferedSub{sub: sub, size: size} }

type eventAPI struct {
	bus  eventBus
	mu   sync.Mutex
	subs map[int]*bufferedSub
}

// Negative: one subscription per mask, created on the first request that asks for it and kept
// (wrapped) in a map that later requests reuse.
func (s *eventAPI) subFor(mask int) *bufferedSub {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.subs[mask]
	if !ok {
		// ok: repeated-watch
		sub := s.bus.Subscribe(mask)
		b = newBufferedSub(sub, 1000)
		s.subs[mask] = b
	}
	return b
}

func (s *eventAPI) serveEvents(w http.ResponseWriter, r *http.Request) {
	b := s.subFor(len(r.URL.Query()))
	fmt.Fprintln(w, b.size)
}

type fsWatcher interface {
	Watch(name string, ctx context.Context) (<-chan string, <-chan error, error)
}

// Negative: the watch is started again only when a one-shot timer fires, and the loop re-arms
// that timer only after the watch failed to start or reported its end on its error channel.
func monitor(ctx context.Context, fs fsWatcher, out chan<- string) {
	failTimer := time.NewTimer(0)
	defer failTimer.Stop()
	var events <-chan string
	var errs <-chan error
	var err error
	for {
		select {
		case <-failTimer.C:
			// ok: repeated-watch
			events, errs, err = fs.Watch(".", ctx)
			if err != nil {
				failTimer.Reset(time.Minute)
				continue
			}
		case ev := <-events:
			out <- ev
		case err = <-errs:
			errs = nil
			failTimer.Reset(time.Minute)
		case <-ctx.Done():
			return
		}
	}
}

// Positive: the same loop on a ticker: a new watch every minute whatever the old one does.
func monitorLeaky(ctx context.Context, fs fsWatcher, out chan<- string) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	var events <-chan string
	var errs <-chan error
	var err error
	for {
		select {
		case <-tick.C:
			// ruleid: repeated-watch
			events, errs, err = fs.Watch(".", ctx)
			if err != nil {
				continue
			}
		case ev := <-events:
			out <- ev
		case err = <-errs:
			errs = nil
		case <-ctx.Done():
			return
		}
	}
}
