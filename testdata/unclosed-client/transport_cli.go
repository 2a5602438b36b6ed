package clients

import (
	"net/http"

	"github.com/spf13/cobra"
)

// A command-line action runs once per process (argo-cd's `argocd logout`): the transport of the
// one request it makes is not a leak per call.
func NewLogoutCommand() *cobra.Command {
	return &cobra.Command{
		Use: "logout",
		Run: func(c *cobra.Command, args []string) {
			_, _ = revokeToken(args[0], true)
		},
	}
}

func revokeToken(url string, insecure bool) (*http.Response, error) {
	client := &http.Client{}
	if insecure {
		// ok: unclosed-client
		tr := http.DefaultTransport.(*http.Transport).Clone()
		client.Transport = tr
	}
	return client.Get(url)
}

// The same helper called from a request handler is per request.
func revokeHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = revokePerRequest(r.URL.Query().Get("u"))
}

func revokePerRequest(url string) (*http.Response, error) {
	client := &http.Client{}
	// ruleid: unclosed-client
	client.Transport = &http.Transport{}
	return client.Get(url)
}
