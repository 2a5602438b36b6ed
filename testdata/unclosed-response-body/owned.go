package respbody

import (
	"bufio"
	"errors"
	"io"
	"net/http"
)

type downloader struct {
	client *http.Client
	body   io.ReadCloser
}

// Negative: the classic shape.
func simple(u string) ([]byte, error) {
	// ok: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Negative: drained and closed in a deferred closure.
func (d *downloader) drained(u string) error {
	// ok: unclosed-response-body
	resp, err := d.client.Get(u)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}()
	if resp.StatusCode != 200 {
		return errors.New(resp.Status)
	}
	return nil
}

// Negative: the close method value handed to a logging helper that calls it.
func (d *downloader) closeLogged(u string) error {
	// ok: unclosed-response-body
	resp, err := d.client.Get(u)
	if err != nil {
		return err
	}
	defer logClose("response body", resp.Body.Close)
	if resp.StatusCode != 200 {
		return errors.New(resp.Status)
	}
	return nil
}

func logClose(what string, closeFn func() error) {
	if err := closeFn(); err != nil {
		println(what, err.Error())
	}
}

// Negative: the response goes to the caller.
func (d *downloader) open(req *http.Request) (*http.Response, error) {
	// ok: unclosed-response-body
	return d.client.Do(req)
}

// Negative: the body is kept in a field; whoever holds the downloader closes it.
func (d *downloader) start(u string) error {
	// ok: unclosed-response-body
	resp, err := d.client.Get(u)
	if err != nil {
		return err
	}
	d.body = resp.Body
	return nil
}

// Negative: a reader around the body is returned: the caller owns it.
func (d *downloader) lines(u string) (*bufio.Scanner, error) {
	// ok: unclosed-response-body
	resp, err := d.client.Get(u)
	if err != nil {
		return nil, err
	}
	return bufio.NewScanner(resp.Body), nil
}

// Negative: a same-package helper that drains and closes.
func viaHelper(u string) error {
	// ok: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	return discardAndClose(resp)
}

func discardAndClose(r *http.Response) error {
	_, _ = io.Copy(io.Discard, r.Body)
	return r.Body.Close()
}

// Negative: the body aliased, then closed through the alias.
func alias(u string) (int64, error) {
	// ok: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	body := resp.Body
	defer body.Close()
	return io.Copy(io.Discard, body)
}

// Negative: handed to a goroutine that consumes and closes it.
func background(u string, out chan<- int64) {
	// ok: unclosed-response-body
	resp, err := http.Get(u)
	if err != nil {
		return
	}
	go func() {
		defer resp.Body.Close()
		n, _ := io.Copy(io.Discard, resp.Body)
		out <- n
	}()
}

// Negative: a `defer` in a loop whose iteration returns right after: it runs once.
func firstAsset(urls []string) error {
	for _, u := range urls {
		if u == "" {
			continue
		}
		// ok: unclosed-response-body
		resp, err := http.Get(u)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return nil
}

// Negative: passed to code of another package, which is assumed to take it.
func (d *downloader) external(u string) error {
	// ok: unclosed-response-body
	resp, err := d.client.Get(u)
	if err != nil {
		return err
	}
	return errors.Join(consume(resp))
}

// Negative: a Do on something that is not an *http.Client (an API client of its own).
type apiClient interface {
	Do(method, path string) (*http.Response, error)
}

func notNetHTTP(c apiClient) {
	// ok: unclosed-response-body
	c.Do("GET", "/v1/x")
}

// Negative: main runs once; the process ends.
func main() {
	// ok: unclosed-response-body
	resp, err := http.Get("http://localhost:8080/healthz")
	if err != nil || resp.StatusCode != 200 {
		panic("unhealthy")
	}
}
