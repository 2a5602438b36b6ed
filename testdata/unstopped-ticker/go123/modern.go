package modern

import (
	"net"
	"time"
)

// Negative (Go 1.23 module): an unreferenced ticker is collected, Stop or not.
func beat(quit <-chan struct{}) {
	// ok: unstopped-ticker
	t := time.NewTicker(time.Second)
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
	}
}

// Negative (Go 1.23 module): time.Tick per connection is collected once the goroutine is done.
func keepAlive(c net.Conn) {
	go func() {
		// ok: unstopped-ticker
		for range time.Tick(time.Second) {
			if _, err := c.Write(nil); err != nil {
				return
			}
		}
	}()
}
