package broadcast

import "context"

// Shapes from a GitOps server and a service-mesh controller: streaming handlers that subscribe
// to an in-process broadcaster or listener registry.
type appEvent struct{}

type appBroadcaster interface {
	Subscribe(ch chan *appEvent, filters ...func(*appEvent) bool) func()
}

type AppService_WatchServer interface {
	Send(*appEvent) error
	Context() context.Context
}

type appQuery struct{}

type appServer struct{ b appBroadcaster }

// Negative: Subscribe returns its unsubscribe function, deferred.
func (s *appServer) Watch(q *appQuery, ws AppService_WatchServer) error {
	events := make(chan *appEvent, 100)
	// ok: repeated-watch
	unsubscribe := s.b.Subscribe(events)
	defer unsubscribe()
	for {
		select {
		case e := <-events:
			_ = ws.Send(e)
		case <-ws.Context().Done():
			return nil
		}
	}
}

// Positive: the same handler dropping the unsubscribe function: one listener per stream, forever.
func (s *appServer) WatchAll(q *appQuery, ws AppService_WatchServer) error {
	events := make(chan *appEvent, 100)
	// ruleid: repeated-watch
	s.b.Subscribe(events)
	for {
		select {
		case e := <-events:
			_ = ws.Send(e)
		case <-ws.Context().Done():
			return nil
		}
	}
}

type listenerRegistry interface {
	Subscribe(id string, l func()) (string, error)
	Unsubscribe(id string, l func())
}

type destServer struct{ workloads listenerRegistry }

// Negative: the registry's own Unsubscribe ends the subscription when the stream ends.
func (s *destServer) subscribeProfile(id string, stream AppService_WatchServer) error {
	// ok: repeated-watch
	id, err := s.workloads.Subscribe(id, nil)
	if err != nil {
		return err
	}
	defer s.workloads.Unsubscribe(id, nil)
	<-stream.Context().Done()
	return nil
}

// Positive: unsubscribed only when sending fails, not when the stream ends normally.
func (s *destServer) subscribeEndpoints(id string, stream AppService_WatchServer) error {
	// ruleid: repeated-watch
	id, err := s.workloads.Subscribe(id, nil)
	if err != nil {
		return err
	}
	if err := stream.Send(nil); err != nil {
		s.workloads.Unsubscribe(id, nil)
		return err
	}
	<-stream.Context().Done()
	return nil
}
