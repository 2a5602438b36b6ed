package respbody

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Closed on the success path only: an early return after the request succeeded skips it.

// Positive: the status check returns before the deferred close is registered.
func getJSON(u string, v any) error {
	// ruleid: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// Positive: a decode error returns before the close at the end (a decoder stops early).
func decodeThenClose(c *http.Client, u string) (map[string]string, error) {
	// ruleid: unclosed-response-body
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	resp.Body.Close()
	return out, nil
}

// Positive: a constructor of ours returns the response, but not on a bad status.
func openStream(c *http.Client, req *http.Request) (*http.Response, error) {
	// ruleid: unclosed-response-body
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, errors.New("not found: " + resp.Status)
	}
	return resp, nil
}

// Positive: returns the body, but a bad status leaves before it.
func openBody(c *http.Client, u string) (io.ReadCloser, error) {
	// ruleid: unclosed-response-body
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return resp.Body, nil
}

// Negative: closed before the early return too.
func getJSONCareful(u string, v any) error {
	// ok: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// Negative: a read error of the body itself ends it (the transport drops that connection
// without a Close); the close after it covers every other path.
func readAllThenClose(u string) ([]byte, error) {
	// ok: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return b, nil
}

// Negative: the error check is not the next statement, but it is the request's own.
func timed(c *http.Client, req *http.Request) (int, error) {
	// ok: unclosed-response-body
	resp, err := c.Do(req)
	logLatency()
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

func logLatency() {}

// Negative: acquired in either branch of an if; the error check after the if is its own.
func either(fast bool, c *http.Client, u string) (int, error) {
	var resp *http.Response
	var err error
	if fast {
		resp, err = http.Get(u)
	} else {
		// ok: unclosed-response-body
		resp, err = c.Get(u)
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// Negative: a nil check around the deferred close covers the returns after it.
func guarded(c *http.Client, u string) error {
	// ok: unclosed-response-body
	resp, err := c.Get(u)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// Negative: the variable declared in the if lives there; the later `resp` is another one.
func tryTwice(c *http.Client, u string) (int, error) {
	// ok: unclosed-response-body
	if resp, err := c.Get(u + "?fast"); err == nil {
		defer resp.Body.Close()
		if resp.StatusCode == 200 {
			return 1, nil
		}
	}
	// ok: unclosed-response-body
	resp, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return 2, nil
}

// Negative: returns a copy of the response (the Body travels with it) and closes on errors.
func copyOut(c *http.Client, req *http.Request) (http.Response, error) {
	// ok: unclosed-response-body
	resp, err := c.Do(req)
	if err != nil {
		return http.Response{}, err
	}
	if resp.StatusCode >= 400 {
		resp.Body.Close()
		return http.Response{}, errors.New(resp.Status)
	}
	return *resp, nil
}
