// Package dockertest holds helpers for tests that run against containers. Its functions take a
// *testing.T or testing.TB: they only run under `go test`, whatever the file is called.
package dockertest

import (
	"context"
	"testing"

	"github.com/docker/docker/client"
)

// Negative: a test helper (testing.TB) creating a Docker client per call.
func DumpSchema(t testing.TB, id string) string {
	// ok: unclosed-client
	cli, err := client.NewClientWithOpts(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = cli.ContainerInspect(context.Background(), id)
	return id
}

// Negative: a closure inside a test helper.
func Each(t *testing.T, ids []string) {
	for _, id := range ids {
		func() {
			// ok: unclosed-client
			cli, _ := client.NewClientWithOpts(client.FromEnv)
			_, _ = cli.ContainerInspect(context.Background(), id)
		}()
	}
}

// Positive: production code in the same package (no testing parameter) still counts.
func Inspect(ctx context.Context, id string) error {
	// ruleid: unclosed-client
	cli, err := client.NewClientWithOpts(client.FromEnv)
	if err != nil {
		return err
	}
	_, err = cli.ContainerInspect(ctx, id)
	return err
}
