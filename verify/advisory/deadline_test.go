package advisory_test

import (
	"context"
	"errors"
	"github.com/installguard/guard/verify/httpretry/silent"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/httpretry"
)

// TestClientSilentAPI (issue 12 item 7): an OSV API that accepts
// connections and never answers fails the query after the idle deadline,
// without the four retries it used to get, and names the silence.
func TestClientSilentAPI(t *testing.T) {
	srv := silent.New(t)
	url, conns := srv.URL(), srv.Conns
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
