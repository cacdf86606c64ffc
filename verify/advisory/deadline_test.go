package advisory_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/httpretry"
)

// silentAPI accepts connections on loopback and never answers; it returns
// its URL and the number of connections accepted so far.
func silentAPI(t *testing.T) (string, func() int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int32
	var mu sync.Mutex
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String(), n.Load
}

// TestClientSilentAPI (issue 12 item 7): an OSV API that accepts
// connections and never answers fails the query after the idle deadline,
// without the four retries it used to get, and names the silence.
func TestClientSilentAPI(t *testing.T) {
	url, conns := silentAPI(t)
	c := advisory.NewClient(url, nil)
	c.IdleTimeout = 200 * time.Millisecond
	c.Concurrency = 1
	c.BatchSize = 1
	qs := []advisory.Query{{Ecosystem: "npm", Name: "a", Version: "1.0.0"}, {Ecosystem: "npm", Name: "b", Version: "1.0.0"}}
	_, err := c.Query(context.Background(), qs)
	if !errors.Is(err, httpretry.ErrSilent) || !strings.Contains(err.Error(), "OSV API") || !strings.Contains(err.Error(), "sent nothing for 200ms") {
		t.Fatalf("err = %v; want a silent-server error naming the OSV API", err)
	}
	if n := conns(); n != 1 {
		t.Errorf("%d connections, want 1: a silent API is neither retried nor asked again in the run", n)
	}
}
