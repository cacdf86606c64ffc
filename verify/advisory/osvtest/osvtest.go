// Package osvtest is a local OSV API for tests: an httptest server that
// speaks the API guard uses (POST /v1/querybatch with per-query pagination,
// GET /v1/vulns/{id} with 404 for unknown ids), answering from records the
// test gives it (for example the records of an OSV all.zip export), with
// knobs to inject faults: refused connections, delays, 429/500 answers,
// truncated bodies and invalid JSON.
//
// Matching is advisory.Affects, as on the offline DB; SetLoose makes the
// server answer every record naming the package (withdrawn ones included),
// so that a client's own re-check is exercised.
package osvtest

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/installguard/guard/verify/advisory"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// Fault is a way to answer a request badly.
type Fault int

const (
	// Refuse closes the connection without an answer.
	Refuse Fault = iota + 1
	// TooManyRequests answers 429 (with the Retry-After set by SetRetryAfter).
	TooManyRequests
	// ServerError answers 500.
	ServerError
	// Truncate announces the full Content-Length and sends half the body.
	Truncate
	// InvalidJSON answers 200 with a body that is not JSON.
	InvalidJSON
)

// Paths of the API, for Inject.
const (
	PathQueryBatch = "/v1/querybatch"
	PathVulns      = "/v1/vulns/"
)

// Stats counts what the server saw.
type Stats struct {
	Requests        int // all requests, faulty answers included
	BatchRequests   int // querybatch requests answered normally
	VulnRequests    int // vulns/{id} requests answered normally (404s included)
	MaxBatchQueries int // the largest querybatch seen
	Faults          int // requests answered with an injected fault
	NotFound        int // vulns/{id} answered 404
}

type injected struct {
	fault  Fault
	left   int
	prefix string
}

// Server is a running fake OSV API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give a client (no trailing slash).
	URL string

	srv *httptest.Server

	mu         sync.Mutex
	records    map[string]*osvschema.Vulnerability
	raw        map[string][]byte // record JSON served by vulns/{id}
	hidden     map[string]bool   // matched by querybatch, 404 on vulns/{id}
	byName     map[string][]string
	faults     []*injected
	delay      time.Duration
	retryAfter string
	pageSize   int
	loose      bool
	stats      Stats
}

// New starts a server answering from the given records.
func New(records ...*osvschema.Vulnerability) *Server {
	s := newServer()
	for _, v := range records {
		raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(v)
		if err != nil {
			panic(err)
		}
		s.add(v, raw)
	}
	return s.start()
}

// NewFromZips starts a server answering from the records of OSV export
// zips (<ecosystem>/all.zip). Each record is served as the bytes in the zip.
func NewFromZips(paths ...string) (*Server, error) {
	s := newServer()
	for _, p := range paths {
		if err := s.loadZip(p); err != nil {
			return nil, err
		}
	}
	return s.start(), nil
}

func newServer() *Server {
	return &Server{
		records: map[string]*osvschema.Vulnerability{}, raw: map[string][]byte{},
		hidden: map[string]bool{}, byName: map[string][]string{}, retryAfter: "0",
	}
}

func (s *Server) start() *Server {
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, dropping open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

func (s *Server) loadZip(path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, advisory.MaxRecordSize+1))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		v, err := advisory.DecodeRecord(data)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		s.add(v, data)
	}
	return nil
}

func nameKey(ecosystem, name string) string {
	return advisory.BaseEcosystem(ecosystem) + "\x00" + advisory.NormalizeName(ecosystem, name)
}

func (s *Server) add(v *osvschema.Vulnerability, raw []byte) {
	id := v.GetId()
	if _, dup := s.records[id]; dup {
		return // the same record from two ecosystem zips
	}
	s.records[id], s.raw[id] = v, raw
	seen := map[string]bool{}
	for _, a := range v.GetAffected() {
		if p := a.GetPackage(); p != nil && p.GetName() != "" {
			k := nameKey(p.GetEcosystem(), p.GetName())
			if !seen[k] {
				seen[k] = true
				s.byName[k] = append(s.byName[k], id)
			}
		}
	}
}

// Inject makes the next n requests whose path starts with prefix ("" for
// any) fail with f. Injections apply in the order they were made.
func (s *Server) Inject(f Fault, n int, prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &injected{fault: f, left: n, prefix: prefix})
}

// ClearFaults drops the injections not used yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// SetDelay delays every answer by d (or until the request is cancelled).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetRetryAfter sets the Retry-After header of 429 answers ("" for none).
func (s *Server) SetRetryAfter(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retryAfter = v
}

// SetPageSize makes querybatch answer at most n ids per query and page,
// with a next_page_token for the rest (0: no paging).
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// SetLoose makes querybatch return every record that names the package,
// whatever the version and withdrawn or not.
func (s *Server) SetLoose(loose bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loose = loose
}

// Hide keeps id in querybatch answers but answers 404 for vulns/{id}, as
// when a record disappears between the two calls.
func (s *Server) Hide(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hidden[id] = true
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{}
}

func (s *Server) takeFault(path string) (Fault, time.Duration, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	for _, f := range s.faults {
		if f.left > 0 && strings.HasPrefix(path, f.prefix) {
			f.left--
			s.stats.Faults++
			return f.fault, s.delay, s.retryAfter
		}
	}
	return 0, s.delay, s.retryAfter
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	fault, delay, retryAfter := s.takeFault(r.URL.Path)
	// Read the request body first: the server notices a client that hangs
	// up (and cancels r.Context()) only once the body is consumed.
	reqBody, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	var status int
	var body []byte
	// A faulty answer is not counted as answered; Truncate needs the body.
	if fault == 0 || fault == Truncate {
		count := fault == 0
		switch {
		case r.URL.Path == PathQueryBatch:
			status, body = s.queryBatch(r.Method, reqBody, count)
		case strings.HasPrefix(r.URL.Path, PathVulns):
			status, body = s.vuln(r.Method, strings.TrimPrefix(r.URL.Path, PathVulns), count)
		default:
			status, body = http.StatusNotFound, errorBody(http.StatusNotFound, "not found")
		}
	}
	switch fault {
	case Refuse:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case TooManyRequests:
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		status, body = http.StatusTooManyRequests, errorBody(http.StatusTooManyRequests, "rate limited")
	case ServerError:
		status, body = http.StatusInternalServerError, errorBody(http.StatusInternalServerError, "internal error")
	case InvalidJSON:
		status, body = http.StatusOK, []byte(`{"results": [ {"vulns": [ {"id": "GHSA-`)
	case Truncate:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		w.Write(body[:len(body)/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // close the connection mid-body
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

func errorBody(code int, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"code": code, "message": msg})
	return b
}

type batchRequest struct {
	Queries []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
			PURL      string `json:"purl"`
		} `json:"package"`
		Version   string `json:"version"`
		Commit    string `json:"commit"`
		PageToken string `json:"page_token"`
	} `json:"queries"`
}

type vulnRef struct {
	ID       string `json:"id"`
	Modified string `json:"modified,omitempty"`
}

type batchResult struct {
	Vulns         []vulnRef `json:"vulns,omitempty"`
	NextPageToken string    `json:"next_page_token,omitempty"`
}

func (s *Server) queryBatch(method string, reqBody []byte, count bool) (int, []byte) {
	if method != http.MethodPost {
		return http.StatusMethodNotAllowed, errorBody(http.StatusMethodNotAllowed, "POST only")
	}
	var req batchRequest
	if err := json.Unmarshal(reqBody, &req); err != nil {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, "invalid JSON: "+err.Error())
	}
	if len(req.Queries) > advisory.MaxBatchQueries {
		return http.StatusBadRequest, errorBody(http.StatusBadRequest, fmt.Sprintf("too many queries: %d > %d", len(req.Queries), advisory.MaxBatchQueries))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if count {
		s.stats.BatchRequests++
		s.stats.MaxBatchQueries = max(s.stats.MaxBatchQueries, len(req.Queries))
	}
	results := make([]batchResult, len(req.Queries))
	for i, q := range req.Queries {
		if q.Package.Ecosystem == "" || q.Package.Name == "" {
			return http.StatusBadRequest, errorBody(http.StatusBadRequest, fmt.Sprintf("query %d: package ecosystem and name are required", i))
		}
		aq := advisory.Query{Ecosystem: q.Package.Ecosystem, Name: q.Package.Name, Version: q.Version}
		var ids []string
		for _, id := range s.byName[nameKey(aq.Ecosystem, aq.Name)] {
			if s.loose || advisory.Affects(s.records[id], aq) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		start := 0
		if q.PageToken != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(q.PageToken, "page:"))
			if err != nil || !strings.HasPrefix(q.PageToken, "page:") || n < 0 || n > len(ids) {
				return http.StatusBadRequest, errorBody(http.StatusBadRequest, "invalid page_token")
			}
			start = n
		}
		end := len(ids)
		if s.pageSize > 0 && end-start > s.pageSize {
			end = start + s.pageSize
			results[i].NextPageToken = "page:" + strconv.Itoa(end)
		}
		for _, id := range ids[start:end] {
			ref := vulnRef{ID: id}
			if m := s.records[id].GetModified(); m != nil {
				ref.Modified = m.AsTime().UTC().Format(time.RFC3339)
			}
			results[i].Vulns = append(results[i].Vulns, ref)
		}
	}
	b, _ := json.Marshal(map[string]any{"results": results})
	return http.StatusOK, b
}

func (s *Server) vuln(method, id string, count bool) (int, []byte) {
	if method != http.MethodGet {
		return http.StatusMethodNotAllowed, errorBody(http.StatusMethodNotAllowed, "GET only")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if count {
		s.stats.VulnRequests++
	}
	raw, ok := s.raw[id]
	if !ok || s.hidden[id] {
		if count {
			s.stats.NotFound++
		}
		return http.StatusNotFound, errorBody(http.StatusNotFound, "Bug not found.")
	}
	return http.StatusOK, raw
}
