// Package jobs runs work on a fixed pool of goroutines (a bounded control: its goroutine count
// does not depend on traffic).
package jobs

import "sync"

// Pool is a fixed set of workers reading one queue.
type Pool struct {
	queue chan func()
	wg    sync.WaitGroup
}

// NewPool starts n workers.
func NewPool(n, depth int) *Pool {
	p := &Pool{queue: make(chan func(), depth)}
	for i := 0; i < n; i++ {
		p.wg.Add(1)
		go p.work()
	}
	return p
}

// control: work is one of a fixed number of workers.
func (p *Pool) work() {
	defer p.wg.Done()
	for job := range p.queue {
		job()
	}
}

// Submit queues a job; false when the queue is full.
func (p *Pool) Submit(job func()) bool {
	select {
	case p.queue <- job:
		return true
	default:
		return false
	}
}

// Stop drains the queue and waits for the workers.
func (p *Pool) Stop() {
	close(p.queue)
	p.wg.Wait()
}
