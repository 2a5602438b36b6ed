package watch

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"github.com/cenkalti/backoff/v4"
	"github.com/nats-io/nats.go"
	"github.com/spf13/viper"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Shapes reduced from real services.

// Negative: the watch channel is read until it is closed (comma-ok); only then is a new watch
// started, so at most one watcher goroutine is alive.
func followKeys(ctx context.Context, cli *clientv3.Client, prefix string) {
	for {
		// ok: repeated-watch
		wch := cli.Watch(ctx, prefix, clientv3.WithPrefix())
		for {
			resp, ok := <-wch
			if !ok {
				break
			}
			_ = resp
		}
		time.Sleep(time.Second)
	}
}

// Negative: the same in a select, re-watching after the channel closed.
func followSelect(ctx context.Context, cli *clientv3.Client, key string) {
	for {
		// ok: repeated-watch
		wch := cli.Watch(ctx, key)
	inner:
		for {
			select {
			case <-ctx.Done():
				return
			case resp, ok := <-wch:
				if !ok {
					break inner
				}
				_ = resp
			}
		}
	}
}

// Positive: a watch without a context argument (libkv style, stop channel never closed).
type kvStore interface {
	Watch(key string, stop <-chan struct{}) (<-chan []byte, error)
	WatchTree(dir string, stop <-chan struct{}) (<-chan [][]byte, error)
}

func pollTree(s kvStore, stop <-chan struct{}, t *time.Ticker) {
	for range t.C {
		// ruleid: repeated-watch
		ch, err := s.WatchTree("/services", stop)
		if err == nil {
			go func() {
				for range ch {
				}
			}()
		}
	}
}

// Positive: a context obtained from the client outlives every iteration.
type sessionClient struct{ cli *clientv3.Client }

func (s *sessionClient) Ctx() context.Context { return context.Background() }

func (s *sessionClient) refreshLoop(keys <-chan string) {
	for k := range keys {
		// ruleid: repeated-watch
		go apply(s.cli.Watch(s.cli.Ctx(), k))
	}
}

// Positive: viper starts another file watcher on every WatchConfig call.
func reloadConfig(v *viper.Viper, changes <-chan struct{}) {
	for range changes {
		// ruleid: repeated-watch
		v.WatchConfig()
	}
}

// Positive: the operation handed to wait.Until runs every period.
func watchForever(ctx context.Context, cli *clientv3.Client) {
	wait.Until(func() {
		// ruleid: repeated-watch
		go apply(cli.Watch(context.Background(), "/leases"))
	}, time.Minute, ctx.Done())
}

// Positive: backoff.Retry runs the operation until it succeeds; every failed attempt leaves a
// subscription behind.
func subscribeWithRetry(nc *nats.Conn, h nats.MsgHandler, b backoff.BackOff) error {
	return backoff.Retry(func() error {
		// ruleid: repeated-watch
		if _, err := nc.Subscribe("jobs", h); err != nil {
			return err
		}
		return nc.Flush()
	}, b)
}

// Positive: a long-poll handler watching on a context that outlives the request.
type longPoll struct{ cli *clientv3.Client }

func (h *longPoll) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// ruleid: repeated-watch
	wch := h.cli.Watch(context.Background(), r.URL.Query().Get("key"))
	select {
	case resp := <-wch:
		_ = resp
	case <-r.Context().Done():
	}
}

// Negative: the same handler watching on the request's context: it ends with the request.
func (h *longPoll) serveScoped(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	// ok: repeated-watch
	wch := h.cli.Watch(ctx, r.URL.Query().Get("key"))
	<-wch
}

// Negative: a registration guarded by a flag it sets runs once, whatever loop calls it.
type registrar struct {
	registered bool
	broker     *nats.Conn
	handler    nats.MsgHandler
	ticker     *time.Ticker
}

func (s *registrar) register() error {
	if s.registered {
		return nil
	}
	// ok: repeated-watch
	if _, err := s.broker.Subscribe("service.name", s.handler); err != nil {
		return err
	}
	s.registered = true
	return nil
}

func (s *registrar) heartbeat() {
	for range s.ticker.C {
		_ = s.register()
	}
}

// Negative: an atomic once-flag does the same.
type starter struct {
	started atomic.Bool
	cli     *clientv3.Client
}

func (s *starter) start(ctx context.Context) {
	if !s.started.CompareAndSwap(false, true) {
		return
	}
	// ok: repeated-watch
	go apply(s.cli.Watch(ctx, "/members"))
}

func (s *starter) loop(ctx context.Context, kicks <-chan struct{}) {
	for range kicks {
		s.start(ctx)
	}
}

// Negative: this package's own router keeps subscribers in a map (no goroutine): calling its
// Subscribe again is a registration, not a watch.
type handlerEntry struct{ topic string }

type router struct{ subs map[string]*handlerEntry }

func (r *router) Subscribe(e *handlerEntry) error {
	r.subs[e.topic] = e
	return nil
}

type eventServer struct {
	router  *router
	entries []*handlerEntry
	ticks   <-chan time.Time
}

func (s *eventServer) resync() {
	for range s.ticks {
		for _, e := range s.entries {
			// ok: repeated-watch
			_ = s.router.Subscribe(e)
		}
	}
}

// Negative: signal handling code: the loop turns on operator signals, and the shutdown branch
// exits the process.
func (s *sessionClient) handleSignals(reload func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGTERM)
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			s.rewatch()
			continue
		}
		os.Exit(0)
	}
}

func (s *sessionClient) rewatch() {
	// ok: repeated-watch
	go apply(s.cli.Watch(context.Background(), "/config"))
}

// Negative: the watcher is handed to a method of this package that stops it when done.
type serviceWatcher interface {
	Next() (string, error)
	Stop()
}

type registryClient interface {
	Watch(service string) (serviceWatcher, error)
}

type resolverCache struct {
	reg  registryClient
	exit chan struct{}
}

func (c *resolverCache) run(service string) {
	for {
		// ok: repeated-watch
		w, err := c.reg.Watch(service)
		if err != nil {
			time.Sleep(time.Second)
			continue
		}
		if err := c.consume(w); err != nil {
			time.Sleep(time.Second)
		}
	}
}

func (c *resolverCache) consume(w serviceWatcher) error {
	defer w.Stop()
	for {
		if _, err := w.Next(); err != nil {
			return err
		}
	}
}

// Negative: a package-level printer (an interface of this package) whose implementations
// only print: `display.Watch(resp)` is output, not a watch.
type outputPrinter interface {
	Watch(resp clientv3.WatchResponse)
}

type plainPrinter struct{}

func (plainPrinter) Watch(resp clientv3.WatchResponse) { _ = resp }

var display outputPrinter = plainPrinter{}

func printAll(ch clientv3.WatchChan) {
	for resp := range ch {
		// ok: repeated-watch
		display.Watch(resp)
	}
}

// Positive: the watch is read in a range loop, but an early return abandons it while its
// goroutine still runs; the caller loops and watches again.
func (s *sessionClient) syncOnce(ctx context.Context, key string, want int64) error {
	// ruleid: repeated-watch
	for resp := range s.cli.Watch(ctx, key) {
		if resp.Header.Revision >= want {
			return nil
		}
	}
	return nil
}

func (s *sessionClient) syncLoop(ctx context.Context, revs <-chan int64) {
	for rev := range revs {
		_ = s.syncOnce(ctx, "/state", rev)
	}
}

// Negative: returning only on the watch's own error (it is closed after that) is fine.
func (s *sessionClient) followErrors(ctx context.Context, key string) error {
	// ok: repeated-watch
	for resp := range s.cli.Watch(ctx, key) {
		if err := resp.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (s *sessionClient) followLoop(ctx context.Context, t *time.Ticker) {
	for range t.C {
		_ = s.followErrors(ctx, "/state")
	}
}

// Positive: the cancel runs at the end, but the error path returns before it.
func (s *sessionClient) waitFor(ctx context.Context, key string, check func() error) error {
	wctx, cancel := context.WithCancel(ctx)
	// ruleid: repeated-watch
	wch := s.cli.Watch(wctx, key)
	if err := check(); err != nil {
		return err
	}
	<-wch
	cancel()
	return nil
}

func (s *sessionClient) waitLoop(ctx context.Context, kicks <-chan struct{}) {
	for range kicks {
		_ = s.waitFor(ctx, "/leader", nil)
	}
}

// Negative: the same with `defer cancel()`.
func (s *sessionClient) waitForDeferred(ctx context.Context, key string, check func() error) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// ok: repeated-watch
	wch := s.cli.Watch(wctx, key)
	if err := check(); err != nil {
		return err
	}
	<-wch
	return nil
}

func (s *sessionClient) waitLoopDeferred(ctx context.Context, kicks <-chan struct{}) {
	for range kicks {
		_ = s.waitForDeferred(ctx, "/leader", nil)
	}
}

// Positive: a reconnect callback subscribes again without dropping the old subscription.
func connectAndResubscribe(url string, h nats.MsgHandler) (*nats.Conn, error) {
	var nc *nats.Conn
	opts := []nats.Option{nats.ReconnectHandler(func(c *nats.Conn) {
		// ruleid: repeated-watch
		_, _ = c.Subscribe("events", h)
	})}
	nc, err := nats.Connect(url, opts...)
	return nc, err
}

// Negative: the watch context is cancelled by a deferred cancel, so returning from inside the
// range loop ends the watch too.
func (s *sessionClient) monitorLease(parent context.Context, key string) {
	cctx, cancel := context.WithCancel(parent)
	defer cancel()
	for cctx.Err() == nil {
		// ok: repeated-watch
		for resp := range s.cli.Watch(cctx, key) {
			if len(resp.Events) > 0 {
				return
			}
		}
	}
}

// Negative: an SSE-style Subscribe that blocks until the stream ends and returns only an error:
// the loop reconnects after it returned, nothing is left running.
type sseClient interface {
	Subscribe(ctx context.Context, onEvent func(event, data string)) error
}

func streamEvents(ctx context.Context, c sseClient, onEvent func(event, data string)) {
	for ctx.Err() == nil {
		// ok: repeated-watch
		err := c.Subscribe(ctx, onEvent)
		if err != nil {
			time.Sleep(time.Second)
		}
	}
}

// Negative: a streaming subscription on a connection this function closes (deferred): it ends
// with the connection, whatever loop calls the function.
type streamConn struct{}

func (c *streamConn) Close() error { return nil }

type subscriber interface {
	Subscribe(ctx context.Context) (interface{ Recv() (string, error) }, error)
}

func newSubscriber(c *streamConn) subscriber { return nil }

func dialAndStream(ctx context.Context, dial func() (*streamConn, error)) error {
	conn, err := dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	// ok: repeated-watch
	stream, err := newSubscriber(conn).Subscribe(ctx)
	if err != nil {
		return err
	}
	_, err = stream.Recv()
	return err
}

func redialLoop(ctx context.Context, dial func() (*streamConn, error)) {
	for ctx.Err() == nil {
		_ = dialAndStream(ctx, dial)
	}
}

// Negative: the watch is handed to a helper of this package that reads it until it closes.
func (s *sessionClient) keepWatching(ctx context.Context, kv kvStore, stop <-chan struct{}) {
	for {
		// ok: repeated-watch
		ch, err := kv.WatchTree("/nodes", stop)
		if err == nil && !s.consumeTree(ch) {
			return
		}
		time.Sleep(time.Second)
	}
}

func (s *sessionClient) consumeTree(ch <-chan [][]byte) bool {
	for {
		pairs, ok := <-ch
		if !ok {
			return true
		}
		_ = pairs
	}
}

// Negative: the helper reads the watch until it delivers nil (closed) before a new one starts.
func (s *sessionClient) rewatchTree(kv kvStore, stop <-chan struct{}) {
	for {
		// ok: repeated-watch
		ch, err := kv.WatchTree("/services", stop)
		if err != nil || !s.untilNil(ch, stop) {
			return
		}
	}
}

func (s *sessionClient) untilNil(ch <-chan [][]byte, stop <-chan struct{}) bool {
	for {
		select {
		case pairs := <-ch:
			if pairs == nil {
				return true
			}
		case <-stop:
			return false
		}
	}
}

// Negative: waiting until enough peers registered: the loop is bounded by progress toward a
// size, and the watch abandoned by the break is the last one.
type peerSet struct{ m map[string]string }

func (p *peerSet) Len() int { return len(p.m) }

func (s *sessionClient) waitPeersOnce(peers *peerSet, size int) {
	// ok: repeated-watch
	for resp := range s.cli.Watch(context.Background(), "/peers/") {
		_ = resp
		if peers.Len() >= size {
			break
		}
	}
}

func (s *sessionClient) bootstrap(peers *peerSet, size int) {
	for peers.Len() < size {
		s.waitPeersOnce(peers, size)
	}
}

// Positive: a websocket handler subscribing to a room (the subject comes from the request, but
// a subject is no lifetime): the subscription outlives the closed socket, one per connection.
type chatHub struct{ nc *nats.Conn }

func (h *chatHub) serveWS(w http.ResponseWriter, r *http.Request, read func() error) {
	// ruleid: repeated-watch
	_, _ = h.nc.Subscribe("chat."+r.URL.Query().Get("room"), func(m *nats.Msg) {})
	for read() == nil {
	}
}

// Positive: a request helper that subscribes to an inbox and never unsubscribes.
func (h *chatHub) ask(subj string) error {
	// ruleid: repeated-watch
	sub, err := h.nc.SubscribeSync(nats.NewInbox())
	if err != nil {
		return err
	}
	_, err = sub.NextMsg(time.Second)
	return err
}

func (h *chatHub) serveAsk(w http.ResponseWriter, r *http.Request) { _ = h.ask("quote") }

// Negative: the same helper unsubscribing when done.
func (h *chatHub) askClean(subj string) error {
	// ok: repeated-watch
	sub, err := h.nc.SubscribeSync(nats.NewInbox())
	if err != nil {
		return err
	}
	defer func() { _ = sub.Unsubscribe() }()
	_, err = sub.NextMsg(time.Second)
	return err
}

func (h *chatHub) serveAskClean(w http.ResponseWriter, r *http.Request) { _ = h.askClean("quote") }

// Negative: the previous subscription is closed before a new one replaces it.
type feed struct {
	rdb *redis.Client
	ps  *redis.PubSub
}

func (f *feed) reconfigure(channel string) {
	if f.ps != nil {
		_ = f.ps.Close()
	}
	// ok: repeated-watch
	f.ps = f.rdb.Subscribe(context.Background(), channel)
}

func (f *feed) follow(updates <-chan string) {
	for ch := range updates {
		f.reconfigure(ch)
	}
}

// Positive: each request starts a watch and hands it to a forwarding goroutine; the watch's
// context is never cancelled, so watch and goroutine pile up.
func (s *sessionClient) register(reqs <-chan string, ctx context.Context) {
	for key := range reqs {
		// ruleid: repeated-watch
		wch := s.cli.Watch(ctx, key)
		go s.forward(wch)
	}
}

func (s *sessionClient) forward(wch clientv3.WatchChan) {
	for resp := range wch {
		_ = resp
	}
}

// Negative: a blocking Subscribe whose only result is an error, named like one.
type streamSubscriber interface{ Subscribe() error }

func (s *sessionClient) serveRecords(w http.ResponseWriter, r *http.Request, sub streamSubscriber) {
	go func() {
		// ok: repeated-watch
		subErr := sub.Subscribe()
		_ = subErr
	}()
}
