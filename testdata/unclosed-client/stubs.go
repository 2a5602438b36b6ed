package clients

import (
	"context"

	"google.golang.org/grpc"
)

// A gRPC stub generated into this package (ruler.pb.go): it only wraps the connection it is given.

type RulerClient interface {
	Rules(ctx context.Context, in *RulesRequest) (*RulesResponse, error)
}

type RulesRequest struct{}
type RulesResponse struct{ Groups []string }

type rulerClient struct{ cc *grpc.ClientConn }

func NewRulerClient(cc *grpc.ClientConn) RulerClient { return &rulerClient{cc} }

func (c *rulerClient) Rules(ctx context.Context, in *RulesRequest) (*RulesResponse, error) {
	return &RulesResponse{}, nil
}

// Positive (reduced from a metrics backend's ruler, fixed upstream): a connection per peer on
// every API call, used through the package's own stub and never closed.
func shardedRules(ctx context.Context, peers []string) ([]string, error) {
	var out []string
	for _, addr := range peers {
		// ruleid: unclosed-client
		conn, err := grpc.Dial(addr)
		if err != nil {
			return nil, err
		}
		cc := NewRulerClient(conn)
		resp, err := cc.Rules(ctx, &RulesRequest{})
		if err != nil {
			return nil, err
		}
		out = append(out, resp.Groups...)
	}
	return out, nil
}

// Negative: the stub around the connection is kept in a struct that outlives the call.
type rulerPool struct{ clients map[string]RulerClient }

func (p *rulerPool) add(addr string) error {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return err
	}
	p.clients[addr] = NewRulerClient(conn)
	return nil
}

// Negative: the stub is returned to the caller, which owns the connection through it.
func dialRuler(addr string) (RulerClient, error) {
	// ok: unclosed-client
	conn, err := grpc.Dial(addr)
	if err != nil {
		return nil, err
	}
	return NewRulerClient(conn), nil
}
