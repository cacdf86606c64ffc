// Package silent is a test server that accepts connections on loopback and
// never answers: an OSV API, attestation endpoint or DB mirror that hangs
// (issue 12 item 7). Tests of every HTTP source's deadlines use it.
package silent

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Server accepts connections and reads and writes nothing.
type Server struct {
	ln       net.Listener
	conns    atomic.Int32
	accepted chan struct{}
	mu       sync.Mutex
	held     []net.Conn
	done     chan struct{}
}

// New starts a Server on 127.0.0.1; it stops when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ln: ln, accepted: make(chan struct{}, 64), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			s.mu.Lock()
			s.held = append(s.held, c) // read nothing, write nothing
			s.mu.Unlock()
			select {
			case s.accepted <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-s.done
		s.mu.Lock()
		for _, c := range s.held {
			c.Close()
		}
		s.mu.Unlock()
	})
	return s
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Conns is the number of connections accepted so far.
func (s *Server) Conns() int32 { return s.conns.Load() }

// Accepted receives one value per accepted connection (up to 64 unread).
func (s *Server) Accepted() <-chan struct{} { return s.accepted }
