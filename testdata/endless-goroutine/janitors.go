package janitors

import (
	"context"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

type Cache struct {
	mu    sync.Mutex
	items map[string][]byte
	stop  chan struct{}
}

func (c *Cache) evict() {}

// Positive: a ticker goroutine per cache, and a cache per request.
func NewCache() *Cache {
	c := &Cache{items: map[string][]byte{}}
	t := time.NewTicker(time.Minute)
	// ruleid: endless-goroutine
	go func() {
		for range t.C {
			c.evict()
		}
	}()
	return c
}

func handleLookup(w http.ResponseWriter, r *http.Request) {
	c := NewCache()
	_ = c
}

// Positive: time.Tick in the goroutine, the constructor called per request.
func NewTickCache() *Cache {
	c := &Cache{}
	// ruleid: endless-goroutine
	go func() {
		for range time.Tick(time.Minute) {
			c.evict()
		}
	}()
	return c
}

func handleTick(w http.ResponseWriter, r *http.Request) { _ = NewTickCache() }

// Positive: the goroutine runs a method of the same type that loops forever.
func (c *Cache) janitor() {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for range t.C {
		c.evict()
	}
}

func NewJanitorCache() *Cache {
	c := &Cache{}
	// ruleid: endless-goroutine
	go c.janitor()
	return c
}

func handleJanitor(w http.ResponseWriter, r *http.Request) { _ = NewJanitorCache() }

// Positive: a sleep loop per connection, connections accepted forever.
func serveConn(conn chan []byte) {
	// ruleid: endless-goroutine
	go func() {
		for {
			time.Sleep(time.Second)
			log.Print("alive")
		}
	}()
	for range conn {
	}
}

func acceptLoop(conns <-chan chan []byte) {
	for c := range conns {
		serveConn(c)
	}
}

// Positive: a select that only waits on the ticker (no way out), per retry of a forever loop.
func runBackup(events <-chan string) error {
	t := time.NewTicker(24 * time.Hour)
	// ruleid: endless-goroutine
	go func() {
		for {
			select {
			case <-t.C:
				log.Print("prune")
			}
		}
	}()
	for e := range events {
		_ = e
	}
	return nil
}

func backupForever(events <-chan string) {
	for {
		if err := runBackup(events); err != nil {
			time.Sleep(time.Second)
		}
	}
}

// Positive: started directly in a handler.
func handleStream(w http.ResponseWriter, r *http.Request) {
	// ruleid: endless-goroutine
	go func() {
		for {
			<-time.After(time.Minute)
			log.Print("tick")
		}
	}()
}

// Positive: a break inside a select only leaves the select.
func handleSelectBreak(w http.ResponseWriter, r *http.Request) {
	t := time.NewTicker(time.Second)
	// ruleid: endless-goroutine
	go func() {
		for {
			select {
			case <-t.C:
				break
			}
		}
	}()
}

// Positive: a function goroutine (not a method) started per request.
func heartbeat() {
	for range time.Tick(30 * time.Second) {
		log.Print("beat")
	}
}

func handleHeartbeat(w http.ResponseWriter, r *http.Request) {
	// ruleid: endless-goroutine
	go heartbeat()
}

// Positive: started every iteration of a reconnect loop.
func reconnect(dial func() error) {
	for {
		if err := dial(); err != nil {
			continue
		}
		// ruleid: endless-goroutine
		go func() {
			for {
				time.Sleep(time.Minute)
				log.Print("keepalive")
			}
		}()
	}
}

// Positive: a return inside a nested func literal does not leave the loop.
func handleNested(w http.ResponseWriter, r *http.Request) {
	// ruleid: endless-goroutine
	go func() {
		for range time.Tick(time.Second) {
			func() {
				defer func() { _ = recover() }()
				return
			}()
		}
	}()
}

// Negatives ---------------------------------------------------------------------------------

// Negative: the loop has a way out (the cache's stop channel).
func NewStoppableCache() *Cache {
	c := &Cache{stop: make(chan struct{})}
	// ok: endless-goroutine
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				c.evict()
			case <-c.stop:
				return
			}
		}
	}()
	return c
}

func handleStoppable(w http.ResponseWriter, r *http.Request) { _ = NewStoppableCache() }

// Negative: the goroutine ends with the request's context.
func handleWithContext(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// ok: endless-goroutine
	go func() {
		for {
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Negative: started once from main.
func main() {
	// ok: endless-goroutine
	go func() {
		for range time.Tick(time.Minute) {
			log.Print("stats")
		}
	}()
	http.HandleFunc("/", handleLookup)
}

// Negative: started once from init.
func init() {
	// ok: endless-goroutine
	go heartbeat()
}

// Negative: a constructor nothing calls repeatedly (start-up).
func NewServerStats() *Cache {
	c := &Cache{}
	// ok: endless-goroutine
	go func() {
		for range time.Tick(time.Minute) {
			c.evict()
		}
	}()
	return c
}

// Negative: a loop that ends on a condition checked each round (`break` leaves the for).
func handleBounded(w http.ResponseWriter, r *http.Request) {
	// ok: endless-goroutine
	go func() {
		n := 0
		for {
			time.Sleep(time.Second)
			n++
			if n > 10 {
				break
			}
		}
	}()
}

// Negative: a worker ranging over a channel ends when the channel is closed.
func handleWork(w http.ResponseWriter, r *http.Request) {
	jobs := make(chan int)
	// ok: endless-goroutine
	go func() {
		for j := range jobs {
			time.Sleep(time.Duration(j))
		}
	}()
	close(jobs)
}

// Negative: the process exits from inside the loop (a watchdog).
func handleWatchdog(w http.ResponseWriter, r *http.Request) {
	// ok: endless-goroutine
	go func() {
		for {
			time.Sleep(time.Minute)
			os.Exit(1)
		}
	}()
}

// Negative: guarded by sync.Once: one janitor for the process, however many requests.
var janitorOnce sync.Once

func handleOnce(w http.ResponseWriter, r *http.Request) {
	janitorOnce.Do(func() {
		// ok: endless-goroutine
		go heartbeat()
	})
}

// Negative: a method of a type the code does not declare for the receiver (unknown target).
func handleUnknown(w http.ResponseWriter, r *http.Request, s interface{ run() }) {
	// ok: endless-goroutine
	go s.run()
}

// Negative: the goroutine's loop waits on no timer (a request relay that ends with its input).
func handleRelay(w http.ResponseWriter, r *http.Request) {
	in := make(chan []byte)
	// ok: endless-goroutine
	go func() {
		for b := range in {
			_, _ = w.Write(b)
		}
	}()
	close(in)
}

func use(ctx context.Context) { _ = ctx }

// Positive: the way out waits on context.Background().Done(), which never fires.
func startHeartbeat(send func()) {
	ctx := context.Background()
	t := time.NewTicker(15 * time.Second)
	// ruleid: endless-goroutine
	go func() {
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				send()
			}
		}
	}()
}

func serveConns(conns <-chan func()) {
	for send := range conns {
		startHeartbeat(send)
	}
}

// Positive: a stop channel nothing closes (made here, never stored or closed).
func openSynced(sync func()) {
	stop := make(chan struct{})
	// ruleid: endless-goroutine
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sync()
			}
		}
	}()
}

func handleOpen(w http.ResponseWriter, r *http.Request) { openSynced(func() {}) }

// Negative: the stop channel is handed back to the caller, who can close it.
func openStoppable(sync func()) chan struct{} {
	stop := make(chan struct{})
	// ok: endless-goroutine
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sync()
			}
		}
	}()
	return stop
}

func handleOpenStoppable(w http.ResponseWriter, r *http.Request) { close(openStoppable(func() {})) }

// Positive: a handler literal registered inside a routes function starts one per request.
func routes(mux *http.ServeMux) {
	mux.HandleFunc("/jobs", func(w http.ResponseWriter, r *http.Request) {
		// ruleid: endless-goroutine
		go func() {
			tk := time.NewTicker(time.Second)
			defer tk.Stop()
			for {
				<-tk.C
				log.Print("report")
			}
		}()
	})
}

// Positive: ranging over a ticker channel held in a variable.
func handleTickVar(w http.ResponseWriter, r *http.Request) {
	// ruleid: unstopped-ticker
	tick := time.Tick(time.Second)
	// ruleid: endless-goroutine
	go func() {
		for range tick {
			log.Print("tick")
		}
	}()
}

// Negative: ranging over a work channel named c ends when it is closed.
func handleWorkC(w http.ResponseWriter, r *http.Request) {
	c := make(chan int)
	// ok: endless-goroutine
	go func() {
		for range c {
			time.Sleep(time.Millisecond)
		}
	}()
	close(c)
}
