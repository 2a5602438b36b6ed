package senders

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"
)

type Result struct{ Body []byte }

func fetch(ctx context.Context, key string) (*Result, error) { return nil, nil }
func compute() error                                          { return nil }
func prepare() error                                          { return nil }

// Positive: the caller gives up on ctx.Done() and the worker's send has nobody left to take it.
func Lookup(ctx context.Context, key string) (*Result, error) {
	type answer struct {
		r   *Result
		err error
	}
	// ruleid: blocked-send
	answers := make(chan answer)
	go func() {
		r, err := fetch(ctx, key)
		answers <- answer{r, err}
	}()
	select {
	case a := <-answers:
		return a.r, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Positive: a timeout instead of a context.
func CheckWithin(d time.Duration) error {
	// ruleid: blocked-send
	errs := make(chan error)
	go func() { errs <- compute() }()
	select {
	case err := <-errs:
		return err
	case <-time.After(d):
		return errors.New("check timed out")
	}
}

// Positive: an early return between starting the worker and reading its answer.
func Prepared() error {
	// ruleid: blocked-send
	done := make(chan error)
	go func() {
		done <- compute()
	}()
	if err := prepare(); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return <-done
}

// Positive: a goroutine per key, and the loop that collects them returns on the first error.
func FetchAll(ctx context.Context, keys []string) ([]*Result, error) {
	// ruleid: blocked-send
	errs := make(chan error)
	// ruleid: blocked-send
	results := make(chan *Result)
	for _, k := range keys {
		go func(k string) {
			r, err := fetch(ctx, k)
			if err != nil {
				errs <- err
				return
			}
			results <- r
		}(k)
	}
	var out []*Result
	for range keys {
		select {
		case err := <-errs:
			return nil, err
		case r := <-results:
			out = append(out, r)
		}
	}
	return out, nil
}

// Positive: a one-slot buffer for a goroutine per item, and the first error ends the collection.
func ValidateAll(items []string) error {
	// ruleid: blocked-send
	errCh := make(chan error, 1)
	for _, it := range items {
		go func(it string) {
			errCh <- validate(it)
		}(it)
	}
	for range items {
		if err := <-errCh; err != nil {
			return err
		}
	}
	return nil
}

func validate(string) error { return nil }

// Positive: the fastest replica wins, the others block on their send.
func Hedged(ctx context.Context, replicas []string) (*Result, error) {
	// ruleid: blocked-send
	first := make(chan *Result)
	for _, rep := range replicas {
		go func(rep string) {
			r, _ := fetch(ctx, rep)
			first <- r
		}(rep)
	}
	return <-first, nil
}

// Positive: the timeout branch waits for the worker only sometimes.
func RunCommand(wait bool, timeout time.Duration) error {
	// ruleid: blocked-send
	exited := make(chan error)
	go func() { exited <- compute() }()
	select {
	case err := <-exited:
		return err
	case <-time.After(timeout):
		if wait {
			<-exited
		}
		return errors.New("command timed out")
	}
}

// Positive: the channel reaches the goroutine as its parameter.
func Forwarded(ctx context.Context) error {
	// ruleid: blocked-send
	out := make(chan error)
	go func(sink chan<- error) {
		sink <- compute()
	}(out)
	select {
	case err := <-out:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Positive: a range loop over the results that stops at the first failure, with a closer waiting
// for every worker: the remaining workers and the closer block.
func Collect(items []string) error {
	var wg sync.WaitGroup
	// ruleid: blocked-send
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
	for err := range results {
		if err != nil {
			return err
		}
	}
	return nil
}

// Positive: a one-slot buffer, but the worker reports progress before its result.
func TwoReports(ctx context.Context) error {
	// ruleid: blocked-send
	reports := make(chan string, 1)
	go func() {
		reports <- "started"
		reports <- "finished"
	}()
	select {
	case r := <-reports:
		log.Print(r)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Positive: a stop channel in a loop; the stop case returns.
func Watch(stop <-chan struct{}, tick <-chan time.Time) error {
	// ruleid: blocked-send
	failed := make(chan error)
	go func() { failed <- compute() }()
	for {
		select {
		case <-tick:
			log.Print("still waiting")
		case err := <-failed:
			return err
		case <-stop:
			return nil
		}
	}
}

// Positive: one branch waits for the helper, the other can give up first.
func StartBoth(embedded bool, ready <-chan struct{}) error {
	// ruleid: blocked-send
	helper := make(chan error)
	go func() {
		time.Sleep(time.Second)
		helper <- compute()
	}()
	if !embedded {
		return <-helper
	}
	select {
	case <-ready:
	case <-time.After(time.Minute):
		return errors.New("not ready in time")
	}
	return <-helper
}

// Positive: a poller that answers once (send, then return) from inside its loop, declared in a
// var block; the caller stops listening after the timeout.
func StopAndWait(ctx context.Context, timeout time.Duration) error {
	var (
		// ruleid: blocked-send
		result = make(chan error)
		mu     sync.Mutex
	)
	go func() {
		for {
			if err := compute(); err != nil {
				result <- err
				return
			}
			mu.Lock()
			mu.Unlock()
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

// Positive: the goroutine signals from a deferred func; the caller can time out first.
func Collector(results <-chan error, d time.Duration) error {
	var firstErr error
	// ruleid: blocked-send
	finished := make(chan bool)
	go func() {
		defer func() {
			finished <- true
		}()
		for err := range results {
			if firstErr == nil {
				firstErr = err
			}
		}
	}()
	select {
	case <-finished:
		return firstErr
	case <-time.After(d):
		return errors.New("collector timed out")
	}
}

// Positive: a retry loop that sends once and breaks out; the caller gives up after the timeout.
func WaitForPort(addr string, timeout time.Duration) error {
	// ruleid: blocked-send
	up := make(chan struct{})
	go func() {
	retry:
		for {
			if err := prepare(); err != nil {
				time.Sleep(time.Second)
				continue
			}
			up <- struct{}{}
			break retry
		}
	}()
	select {
	case <-up:
		return nil
	case <-time.After(timeout):
		return errors.New("port not up in time")
	}
}
