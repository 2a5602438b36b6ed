package respbody

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/context/ctxhttp"
)

type weatherAPI struct {
	http    *http.Client
	baseURL string
}

type forecast struct{ Temp float64 }

// Positive: decoded straight from the body, never closed.
func fetchForecast(city string) (*forecast, error) {
	// ruleid: unclosed-response-body
	resp, err := http.Get("https://weather.example/" + city)
	if err != nil {
		return nil, err
	}
	var f forecast
	return &f, json.NewDecoder(resp.Body).Decode(&f)
}

// Positive: the client is a struct field declared as *http.Client.
func (w *weatherAPI) ping() (int, error) {
	req, _ := http.NewRequest(http.MethodGet, w.baseURL+"/ping", nil)
	// ruleid: unclosed-response-body
	resp, err := w.http.Do(req)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// Positive: a health check that throws the response away.
func probe(target string) bool {
	// ruleid: unclosed-response-body
	_, err := http.Head(target)
	return err == nil
}

// Positive: the shared default client; the body is read but not closed.
func sendSMS(to, text string) (string, error) {
	form := url.Values{"To": {to}, "Body": {text}}
	req, err := http.NewRequest(http.MethodPost, "https://sms.example/send", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	// ruleid: unclosed-response-body
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// Positive: a local client built in the function, polled in a loop.
func pollUntilReady(u string) {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		// ruleid: unclosed-response-body
		resp, err := client.Get(u)
		if err == nil && resp.StatusCode == http.StatusOK {
			return
		}
		time.Sleep(time.Second)
	}
}

// Positive: a client passed in as a parameter; ctxhttp too.
func postForm(c *http.Client, u string, v url.Values) error {
	// ruleid: unclosed-response-body
	resp, err := c.PostForm(u, v)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("post: %s", resp.Status)
	}
	return nil
}

// Positive: ctxhttp.Get, body never closed.
func fetchCtx(ctx ctxLike, u string) (int, error) {
	// ruleid: unclosed-response-body
	resp, err := ctxhttp.Get(ctx, nil, u)
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

type ctxLike = interface{ Done() <-chan struct{} }

// Positive: `defer` inside a loop that goes on: every body stays open until the function returns.
func fetchAll(urls []string) int {
	n := 0
	for _, u := range urls {
		// ruleid: unclosed-response-body
		resp, err := http.Get(u)
		if err != nil {
			continue
		}
		defer resp.Body.Close()
		n++
	}
	return n
}

// Positive: the same-package helper only reads the status; nobody closes the body.
func callChecked(u string) error {
	// ruleid: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	return statusError(resp)
}

func statusError(r *http.Response) error {
	if r.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", r.StatusCode)
	}
	return nil
}

// Positive: a round trip on the default transport.
func rawTrip(req *http.Request) int {
	// ruleid: unclosed-response-body
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return 0
	}
	return resp.StatusCode
}
