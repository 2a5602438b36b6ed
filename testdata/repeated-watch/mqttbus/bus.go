// Package mqttbus reduces an edge platform's event bus: MQTT subscriptions made again on every
// reconnect or on request.
package mqttbus

import (
	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/nats-io/nats.go"
)

// Negative: paho's Subscribe(topic, qos, handler) registers a route for the topic on the one
// connection; subscribing again replaces it. No goroutine per call.
func onConnect(client mqtt.Client, topics *[]string, h mqtt.MessageHandler) {
	for _, t := range *topics {
		// ok: repeated-watch
		client.Subscribe(t, 1, h)
	}
}

// Negative: per message from the cloud, the same kind of route registration.
func subscribeLoop(client mqtt.Client, requests <-chan string, h mqtt.MessageHandler) {
	for topic := range requests {
		// ok: repeated-watch
		token := client.Subscribe(topic, 0, h)
		token.Wait()
	}
}

// Positive: a NATS subscription per request is a new subscription each time, never drained.
func relay(nc *nats.Conn, requests <-chan string, h nats.MsgHandler) {
	for subject := range requests {
		// ruleid: repeated-watch
		_, _ = nc.Subscribe(subject, h)
	}
}

// Negative: ranging over a pointer to a slice is a pass over a collection, not repetition.
func resubscribeAll(nc *nats.Conn, subjects *[]string, h nats.MsgHandler) {
	for _, s := range *subjects {
		// ok: repeated-watch
		_, _ = nc.Subscribe(s, h)
	}
}
