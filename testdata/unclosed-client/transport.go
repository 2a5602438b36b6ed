package clients

import (
	"crypto/tls"
	"net/http"
	"time"
)

type grpcProxy struct {
	plain      bool
	httpClient *http.Client
	tr         *http.Transport
}

// Positive: argo-cd e865504a98, a transport put on a local client per request.
func (c *grpcProxy) executeRequest(req *http.Request) (*http.Response, error) {
	client := &http.Client{}
	if !c.plain {
		// ruleid: unclosed-client
		client.Transport = &http.Transport{
			TLSClientConfig: &tls.Config{},
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Fixed (argo-cd after e865504a98): built once into a field, used per request.
func (c *grpcProxy) init() {
	c.httpClient = &http.Client{}
	if !c.plain {
		// ok: unclosed-client
		c.httpClient.Transport = &http.Transport{TLSClientConfig: &tls.Config{}}
	}
}

func (c *grpcProxy) executeFixed(req *http.Request) (*http.Response, error) {
	return c.httpClient.Do(req)
}

// Positive: a transport variable in a client literal, in a handler.
func proxyHandler(w http.ResponseWriter, r *http.Request) {
	// ruleid: unclosed-client
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	hc := &http.Client{Transport: tr, Timeout: time.Second}
	resp, err := hc.Get("https://upstream")
	if err != nil {
		return
	}
	defer resp.Body.Close()
}

// Positive: the literal inside the client literal, in a loop.
func pollAll(urls []string) {
	for {
		for _, u := range urls {
			// ruleid: unclosed-client
			hc := http.Client{Transport: &http.Transport{}}
			resp, err := hc.Get(u)
			if err == nil {
				resp.Body.Close()
			}
		}
		time.Sleep(time.Minute)
	}
}

// Positive: a clone of DefaultTransport per call, on a local client.
func fetchInsecure(req *http.Request) (*http.Response, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	// ruleid: unclosed-client
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	client.Transport = t
	return client.Do(req)
}

// Positive: used directly as a RoundTripper per request.
func roundTrip(req *http.Request) (*http.Response, error) {
	// ruleid: unclosed-client
	tr := &http.Transport{}
	return tr.RoundTrip(req)
}

// Released on the client holding it.
func fetchClosed(req *http.Request) error {
	// ok: unclosed-client
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Released on the transport itself; the early return is before any request.
func fetchClosedTransport(req *http.Request, insecure bool) error {
	// ok: unclosed-client
	tr := &http.Transport{}
	if insecure {
		return nil
	}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Keep-alives off: nothing idles.
func fetchNoKeepAlive(req *http.Request) error {
	// ok: unclosed-client
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

func fetchNoKeepAliveLater(req *http.Request) error {
	// ok: unclosed-client
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DisableKeepAlives = true
	hc := &http.Client{Transport: t}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Every request closes its connection (syncthing's UPnP SOAP request).
func soapRequest(req *http.Request) error {
	req.Header.Set("Connection", "Close")
	// ok: unclosed-client
	hc := &http.Client{Transport: &http.Transport{}}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Constructors: the client (or transport) is returned or stored, built once.
func newHTTPClient(insecure bool) *http.Client {
	// ok: unclosed-client
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: insecure}}
	return &http.Client{Transport: tr}
}

func newClientStruct() *http.Client {
	client := &http.Client{}
	// ok: unclosed-client
	client.Transport = &http.Transport{}
	return client
}

func (c *grpcProxy) setTransport() {
	// ok: unclosed-client
	c.tr = &http.Transport{}
}

func newGRPCProxy() *grpcProxy {
	// ok: unclosed-client
	hc := &http.Client{Transport: &http.Transport{}}
	return &grpcProxy{httpClient: hc}
}

// The client's Transport belongs to a client the caller passed in.
func configure(client *http.Client) {
	// ok: unclosed-client
	client.Transport = &http.Transport{}
}

// Handed to code we do not see (a wrapper may keep it).
func wrapped(req *http.Request) (*http.Response, error) {
	// ok: unclosed-client
	tr := &http.Transport{}
	hc := &http.Client{Transport: instrument(tr)}
	return hc.Do(req)
}

var instrument = func(rt http.RoundTripper) http.RoundTripper { return rt }

// The shared DefaultTransport: nothing per call.
func fetchDefault(req *http.Request) (*http.Response, error) {
	hc := &http.Client{Timeout: time.Second}
	return hc.Do(req)
}

// Another holder type is not followed: a struct with a Transport field we know nothing of.
type holder struct{ Transport http.RoundTripper }

func other(req *http.Request) {
	// ok: unclosed-client
	h := &holder{Transport: &http.Transport{}}
	_ = h
}

func init() {
	// ok: unclosed-client
	hc := &http.Client{Transport: &http.Transport{}}
	_, _ = hc.Get("http://localhost")
}
