package advisory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/installguard/guard/verify/httpretry"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// DefaultAPIURL is the OSV API (guard lets GUARD_OSV_URL override it).
const DefaultAPIURL = "https://api.osv.dev"

// MaxBatchQueries is the most queries the OSV API accepts in one
// /v1/querybatch request.
const MaxBatchQueries = 1000

// Client queries the OSV API. It implements Source: POST /v1/querybatch in
// batches of at most 1,000 queries (several at once, bounded), following
// each query's next_page_token, then GET /v1/vulns/{id} once per distinct id
// (concurrent, bounded). Requests follow verify/httpretry's policy:
// exponential backoff and jitter on 429, 5xx and network errors, honouring
// Retry-After; a silent API fails at once (IdleTimeout). Every record
// is checked again locally with Affects, so the online answer agrees with
// the offline DB (ids that do not affect the version and withdrawn records
// are dropped).
//
// The zero value is not usable; use NewClient. Fields may be changed before
// the first Query.
type Client struct {
	// BaseURL is the API root, e.g. DefaultAPIURL.
	BaseURL string
	// HTTP sends the requests; its Timeout bounds each attempt.
	HTTP *http.Client
	// Concurrency bounds the requests in flight at once (default 8).
	Concurrency int
	// BatchSize is the number of queries per querybatch request
	// (default and maximum MaxBatchQueries).
	BatchSize int
	// MaxAttempts is the number of tries per request, the first included
	// (default 4).
	MaxAttempts int
	// BackoffBase is the wait before the first retry, doubled for each
	// further one up to BackoffMax, with jitter (defaults 500ms and 20s).
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a
	// server asking for longer fails the request (default 60s).
	MaxRetryAfter time.Duration
	// MaxBatchBody caps a querybatch response (default 64 MiB); a vulns/{id}
	// response is capped at MaxRecordSize.
	MaxBatchBody int64
	// MaxPages caps the pages followed for one query (default 100); more is
	// an error rather than a silently truncated answer.
	MaxPages int
	// UserAgent is sent with every request.
	UserAgent string
	// IdleTimeout fails a request when the API sends nothing for this long,
	// without retries (default httpretry.DefaultIdle, 30s); later requests
	// of the run then fail at once.
	IdleTimeout time.Duration

	once  sync.Once
	retry *httpretry.Policy
}

// NewClient returns a client for the OSV API at baseURL ("" means
// DefaultAPIURL). httpClient nil means one with a 60-second timeout per
// request.
func NewClient(baseURL string, httpClient *http.Client) *Client {
	if baseURL == "" {
		baseURL = DefaultAPIURL
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"), HTTP: httpClient,
		Concurrency: 8, BatchSize: MaxBatchQueries, MaxAttempts: 4,
		BackoffBase: 500 * time.Millisecond, BackoffMax: 20 * time.Second,
		MaxRetryAfter: 60 * time.Second, MaxBatchBody: 64 << 20, MaxPages: 100,
		UserAgent: userAgent,
	}
}

// API wire types (OSV API v1, JSON names as the API writes them).
type apiPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
}

type apiQuery struct {
	Package   apiPackage `json:"package"`
	Version   string     `json:"version,omitempty"`
	PageToken string     `json:"page_token,omitempty"`
}

type apiBatchRequest struct {
	Queries []apiQuery `json:"queries"`
}

type apiBatchResponse struct {
	Results []struct {
		Vulns []struct {
			ID string `json:"id"`
		} `json:"vulns"`
		NextPageToken string `json:"next_page_token"`
	} `json:"results"`
}

// Query implements Source.
func (c *Client) Query(ctx context.Context, qs []Query) ([][]*osvschema.Vulnerability, error) {
	for i, q := range qs {
		if q.Ecosystem == "" || q.Name == "" {
			return nil, fmt.Errorf("query %d: ecosystem and name are required (got %+v)", i, q)
		}
	}
	// Identical queries are asked once.
	uniq := map[Query]int{}
	var uq []Query
	for _, q := range qs {
		if _, ok := uniq[q]; !ok {
			uniq[q] = len(uq)
			uq = append(uq, q)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := newPool(ctx, cancel, c.concurrency())

	// 1. querybatch, in batches, following pages.
	idsOf := make([][]string, len(uq))
	size := c.BatchSize
	if size <= 0 || size > MaxBatchQueries {
		size = MaxBatchQueries
	}
	for start := 0; start < len(uq); start += size {
		end := min(start+size, len(uq))
		p.Go(func(ctx context.Context) error {
			return c.batch(ctx, uq[start:end], idsOf[start:end])
		})
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}

	// 2. vulns/{id}, once per distinct id.
	var all []string
	seen := map[string]bool{}
	for _, ids := range idsOf {
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
			}
		}
	}
	slices.Sort(all)
	recs := make([]*osvschema.Vulnerability, len(all))
	p = newPool(ctx, cancel, c.concurrency())
	for i, id := range all {
		p.Go(func(ctx context.Context) error {
			v, err := c.vuln(ctx, id)
			recs[i] = v
			return err
		})
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}
	byID := make(map[string]*osvschema.Vulnerability, len(all))
	for i, id := range all {
		byID[id] = recs[i]
	}

	// 3. Local re-check, per original query.
	out := make([][]*osvschema.Vulnerability, len(qs))
	for i, q := range qs {
		for _, id := range idsOf[uniq[q]] {
			if v := byID[id]; Affects(v, q) {
				out[i] = append(out[i], v)
			}
		}
		slices.SortFunc(out[i], func(a, b *osvschema.Vulnerability) int { return strings.Compare(a.GetId(), b.GetId()) })
		out[i] = slices.CompactFunc(out[i], func(a, b *osvschema.Vulnerability) bool { return a.GetId() == b.GetId() })
	}
	return out, nil
}

func (c *Client) concurrency() int {
	if c.Concurrency <= 0 {
		return 8
	}
	return c.Concurrency
}

// batch asks one querybatch (and the follow-up pages of its queries) and
// stores each query's ids in ids.
func (c *Client) batch(ctx context.Context, qs []Query, ids [][]string) error {
	endpoint := c.BaseURL + "/v1/querybatch"
	pending := make([]int, len(qs)) // indexes into qs still to ask
	tokens := make([]string, len(qs))
	for i := range pending {
		pending[i] = i
	}
	maxPages := c.MaxPages
	if maxPages <= 0 {
		maxPages = 100
	}
	for page := 1; len(pending) > 0; page++ {
		if page > maxPages {
			return fmt.Errorf("OSV API %s: more than %d pages of results for %s %s@%s", endpoint, maxPages, qs[pending[0]].Ecosystem, qs[pending[0]].Name, qs[pending[0]].Version)
		}
		req := apiBatchRequest{Queries: make([]apiQuery, len(pending))}
		for k, i := range pending {
			q := qs[i]
			req.Queries[k] = apiQuery{Package: apiPackage{Ecosystem: q.Ecosystem, Name: q.Name}, Version: q.Version, PageToken: tokens[i]}
		}
		body, err := json.Marshal(req)
		if err != nil {
			return err
		}
		maxBody := c.MaxBatchBody
		if maxBody <= 0 {
			maxBody = 64 << 20
		}
		data, err := c.do(ctx, http.MethodPost, endpoint, body, maxBody)
		if err != nil {
			return err
		}
		var resp apiBatchResponse
		if err := decodeStrict(data, &resp); err != nil {
			return fmt.Errorf("OSV API %s: invalid response: %w", endpoint, err)
		}
		if len(resp.Results) != len(pending) {
			return fmt.Errorf("OSV API %s: %d results for %d queries", endpoint, len(resp.Results), len(pending))
		}
		var next []int
		for k, r := range resp.Results {
			i := pending[k]
			for _, v := range r.Vulns {
				if v.ID == "" {
					return fmt.Errorf("OSV API %s: result without an id", endpoint)
				}
				ids[i] = append(ids[i], v.ID)
			}
			if r.NextPageToken != "" {
				if r.NextPageToken == tokens[i] {
					return fmt.Errorf("OSV API %s: the same page token twice", endpoint)
				}
				tokens[i] = r.NextPageToken
				next = append(next, i)
			}
		}
		pending = next
	}
	return nil
}

// vuln fetches one record.
func (c *Client) vuln(ctx context.Context, id string) (*osvschema.Vulnerability, error) {
	endpoint := c.BaseURL + "/v1/vulns/" + url.PathEscape(id)
	data, err := c.do(ctx, http.MethodGet, endpoint, nil, MaxRecordSize)
	if err != nil {
		return nil, err
	}
	v, err := DecodeRecord(data)
	if err != nil {
		return nil, fmt.Errorf("OSV API %s: %w", endpoint, err)
	}
	if v.GetId() != id {
		return nil, fmt.Errorf("OSV API %s: answered record %s", endpoint, v.GetId())
	}
	return v, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// do sends one request under the client's retry policy (verify/httpretry,
// shared with provenance) and returns the body of a 2xx answer, read up to
// maxBody bytes.
func (c *Client) do(ctx context.Context, method, endpoint string, body []byte, maxBody int64) ([]byte, error) {
	p := c.policy()
	h := http.Header{"Accept": {"application/json"}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if c.UserAgent != "" {
		h.Set("User-Agent", c.UserAgent)
	}
	data, err := p.Do(ctx, c.HTTP, httpretry.Request{Method: method, URL: endpoint, Body: body, Header: h, MaxBody: maxBody})
	if err != nil {
		return nil, fmt.Errorf("OSV API %s: %w", endpoint, err)
	}
	return data, nil
}

func (c *Client) policy() *httpretry.Policy {
	c.once.Do(func() {
		c.retry = &httpretry.Policy{
			Attempts: c.MaxAttempts, BackoffBase: c.BackoffBase, BackoffMax: c.BackoffMax,
			MaxRetryAfter: c.MaxRetryAfter, Idle: c.IdleTimeout, Hosts: &httpretry.Hosts{},
		}
	})
	return c.retry
}

// pool runs functions with bounded concurrency; the first error cancels the
// rest.
type pool struct {
	ctx    context.Context
	cancel context.CancelFunc
	sem    chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
	err    error
}

func newPool(ctx context.Context, cancel context.CancelFunc, n int) *pool {
	return &pool{ctx: ctx, cancel: cancel, sem: make(chan struct{}, n)}
}

func (p *pool) Go(f func(ctx context.Context) error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case p.sem <- struct{}{}:
		case <-p.ctx.Done():
			p.fail(p.ctx.Err())
			return
		}
		defer func() { <-p.sem }()
		if err := f(p.ctx); err != nil {
			p.fail(err)
		}
	}()
}

func (p *pool) fail(err error) {
	p.once.Do(func() {
		p.err = err
		p.cancel()
	})
}

func (p *pool) Wait() error {
	p.wg.Wait()
	return p.err
}
