package senders

import (
	"context"
	"errors"
	"log"
	"sync"
	"time"
)

type Job struct{ done chan error }

func consume(ch chan error) {}

// Negative: one sender, one slot: the send never waits, whoever stopped listening.
func BufferedLookup(ctx context.Context) error {
	// ok: blocked-send
	errs := make(chan error, 1)
	go func() { errs <- compute() }()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Negative: a slot per item.
func SizedForAll(items []string) error {
	// ok: blocked-send
	errs := make(chan error, len(items))
	for _, it := range items {
		go func(it string) { errs <- validate(it) }(it)
	}
	for range items {
		if err := <-errs; err != nil {
			return err
		}
	}
	return nil
}

// Negative: the sender gives up with the caller.
func SenderSelects(ctx context.Context) error {
	// ok: blocked-send
	errs := make(chan error)
	go func() {
		select {
		case errs <- compute():
		case <-ctx.Done():
		}
	}()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Negative: nothing between the go statement and the receive can skip it.
func AlwaysWaits() error {
	// ok: blocked-send
	done := make(chan error)
	go func() { done <- compute() }()
	log.Print("waiting")
	return <-done
}

// Negative: the receiver drains until the closer sees every worker finish.
func DrainAll(items []string) []error {
	var wg sync.WaitGroup
	// ok: blocked-send
	results := make(chan error)
	for _, it := range items {
		wg.Add(1)
		go func(it string) {
			defer wg.Done()
			results <- validate(it)
		}(it)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	var errs []error
	for err := range results {
		errs = append(errs, err)
	}
	return errs
}

// Negative: the channel is returned: its receiver is the caller.
func Start() <-chan error {
	// ok: blocked-send
	ch := make(chan error)
	go func() { ch <- compute() }()
	return ch
}

// Negative: the channel is kept in a struct: someone else receives.
func NewJob() *Job {
	// ok: blocked-send
	done := make(chan error)
	go func() { done <- compute() }()
	return &Job{done: done}
}

// Negative: handed to another function, which may receive on every path.
func Handed(ctx context.Context) error {
	// ok: blocked-send
	ch := make(chan error)
	go func() { ch <- compute() }()
	consume(ch)
	return nil
}

// Negative: the goroutine answers on one channel or the other, and both are waited for.
func EitherOr() (*Result, error) {
	// ok: blocked-send
	res := make(chan *Result)
	// ok: blocked-send
	errs := make(chan error)
	go func() {
		r, err := fetch(context.Background(), "k")
		if err != nil {
			errs <- err
			return
		}
		res <- r
	}()
	select {
	case r := <-res:
		return r, nil
	case err := <-errs:
		return nil, err
	}
}

// Negative: the other case only logs and the loop comes back to the receive.
func Patient(tick <-chan time.Time) error {
	// ok: blocked-send
	done := make(chan error)
	go func() { done <- compute() }()
	for {
		select {
		case <-tick:
			log.Print("still waiting")
		case err := <-done:
			return err
		}
	}
}

// Negative: after the timeout the function still waits for the worker on every path.
func WaitsAfterTimeout(d time.Duration) error {
	// ok: blocked-send
	done := make(chan error)
	go func() { done <- compute() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		log.Print("slow; waiting for it to finish")
		return <-done
	}
}

// Negative: main runs once; whatever it leaves behind goes with the process.
func main() {
	// ok: blocked-send
	errs := make(chan error)
	go func() { errs <- compute() }()
	select {
	case err := <-errs:
		log.Fatal(err)
	case <-time.After(time.Second):
	}
}

// Negative: a worker receives from the channel: the parent is a sender, not the receiver.
func Feeds(items []string) {
	// ok: blocked-send
	work := make(chan error)
	go func() {
		for err := range work {
			log.Print(err)
		}
	}()
	for _, it := range items {
		work <- validate(it)
	}
	close(work)
}

// Negative: a stream: the goroutine sends in a loop and closes, the range drains it.
func Stream(items []string) []error {
	// ok: blocked-send
	out := make(chan error)
	go func() {
		defer close(out)
		for _, it := range items {
			out <- validate(it)
		}
	}()
	var errs []error
	for err := range out {
		errs = append(errs, err)
	}
	return errs
}

// Negative: the collection loop keeps the first error and carries on to the end.
func FirstError(items []string) error {
	// ok: blocked-send
	errs := make(chan error)
	for _, it := range items {
		go func(it string) { errs <- validate(it) }(it)
	}
	var first error
	for range items {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Negative: the early return is in the branch that never started the goroutine.
func Exclusive(async bool) error {
	// ok: blocked-send
	done := make(chan error)
	if async {
		go func() { done <- compute() }()
	} else {
		return compute()
	}
	return <-done
}

// Negative: an error path and a success path, one send either way, one slot.
func OneOfTwo(ctx context.Context) error {
	// ok: blocked-send
	errs := make(chan error, 1)
	go func() {
		if err := prepare(); err != nil {
			errs <- err
			return
		}
		errs <- compute()
	}()
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Negative: a deferred func receives: the receive happens on every way out.
func DeferredWait(ctx context.Context) error {
	// ok: blocked-send
	done := make(chan error)
	go func() { done <- compute() }()
	defer func() { <-done }()
	if err := prepare(); err != nil {
		return err
	}
	return errors.New("not reached")
}

// Negative: the goroutine only closes the channel; a close never blocks.
func ClosedOnly(ctx context.Context) error {
	// ok: blocked-send
	done := make(chan struct{})
	go func() {
		_ = compute()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Negative: the same poller with a slot for its one answer.
func StopAndWaitBuffered(timeout time.Duration) error {
	var (
		// ok: blocked-send
		result = make(chan error, 1)
	)
	go func() {
		for {
			if err := compute(); err != nil {
				result <- err
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	select {
	case err := <-result:
		return err
	case <-time.After(timeout):
		return errors.New("timed out")
	}
}


// Negative: the extra send only happens when the goroutine panicked (recover in its deferred
// func); on every other path it sends once, into a slot of its own.
func RecoveredCall(d time.Duration) error {
	// ok: blocked-send
	ch := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- errors.New("panic in call")
			}
		}()
		if err := prepare(); err != nil {
			ch <- err
			return
		}
		ch <- compute()
	}()
	select {
	case err := <-ch:
		return err
	case <-time.After(d):
		return errors.New("call timed out")
	}
}

type server interface{ ListenAndServe() error }

// Negative: a server goroutine lives as long as the process; the first server to fail ends
// Run, and the others' sends come at shutdown.
func RunServers(ctx context.Context, servers []server) error {
	// ok: blocked-send
	errs := make(chan error)
	for _, srv := range servers {
		go func(srv server) { errs <- srv.ListenAndServe() }(srv)
	}
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		return nil
	}
}

// Negative: the same retry loop with a slot for its one signal.
func WaitForPortBuffered(addr string, timeout time.Duration) error {
	// ok: blocked-send
	up := make(chan struct{}, 1)
	go func() {
		for {
			if err := prepare(); err != nil {
				time.Sleep(time.Second)
				continue
			}
			up <- struct{}{}
			break
		}
	}()
	select {
	case <-up:
		return nil
	case <-time.After(timeout):
		return errors.New("port not up in time")
	}
}
