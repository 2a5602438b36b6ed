package retain

import (
	"context"
	"sync"
)

// Queues reached through a chain of pointers (`eh.queue.read`), not a receiver's own field.

type Event struct {
	Name string
	Data any
}

type eventQueue struct {
	writeMu sync.Mutex
	write   []Event
	readMu  sync.Mutex
	read    []Event
}

type eventHandler struct {
	ctx   context.Context
	ch    chan Event
	queue *eventQueue
}

type emitter struct {
	mu       sync.Mutex
	handlers []*eventHandler
}

// Positive: an event emitter's per-handler queue, popped by re-slicing in a closure that gets
// the handler as a parameter: every delivered event's Data stays reachable from the array.
func (e *emitter) emit(ev Event) {
	deliver := func(eh *eventHandler) {
		eh.queue.readMu.Lock()
		defer eh.queue.readMu.Unlock()
		if len(eh.queue.read) == 0 {
			eh.queue.writeMu.Lock()
			eh.queue.read, eh.queue.write = eh.queue.write, eh.queue.read
			eh.queue.writeMu.Unlock()
		}
		select {
		case eh.ch <- eh.queue.read[0]:
			// ruleid: subslice-retained
			eh.queue.read = eh.queue.read[1:]
		case <-eh.ctx.Done():
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, h := range e.handlers {
		h.queue.write = append(h.queue.write, ev)
		deliver(h)
	}
}

// Negative: the same pop with the slot cleared first.
func (e *emitter) emitClean(ev Event) {
	for _, eh := range e.handlers {
		if len(eh.queue.read) == 0 {
			continue
		}
		eh.ch <- eh.queue.read[0]
		eh.queue.read[0] = Event{}
		// ok: subslice-retained
		eh.queue.read = eh.queue.read[1:]
	}
}

type scratch struct {
	items []*Event
}

// Negative: a per-call value's queue: what its pops keep dies with it.
func drain(ctx context.Context, evs []*Event) int {
	s := &scratch{items: evs}
	n := 0
	for len(s.items) > 0 {
		n += len(s.items[0].Name)
		// ok: subslice-retained
		s.items = s.items[1:]
	}
	return n
}
