package retain

import (
	"strings"
	"sync"
)

type job struct {
	Name    string
	Payload []byte
}

type taskMetrics struct {
	mu     sync.Mutex
	labels []string
	bodies [][]byte
}

// Negative: a piece of a job's name kept in long-lived labels: the name is short, keeping all
// of it costs nothing worth a finding.
func (m *taskMetrics) addDispatchLabel(j *job) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if strings.Contains(j.Name, "/dispatch-") {
		// ok: subslice-retained
		m.labels = append(m.labels, strings.Split(j.Name, "/dispatch-")[1])
	}
}

// Positive: a piece of the job's payload kept the same way retains the whole payload.
func (m *taskMetrics) addHeader(j *job) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// ruleid: subslice-retained
	m.bodies = append(m.bodies, j.Payload[:16])
}
