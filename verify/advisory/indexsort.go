package advisory

// Building the index in bounded memory, whatever the number of package
// names in the zip: an external sort. The (key, entry number) pairs of the
// records are collected in a run of at most runBudget bytes, sorted and
// written to a temporary file; the runs are then merged (a k-way merge
// through small read buffers) straight into the name rows, keys and
// postings sections, each spooled to its own temporary file, and the index
// is assembled from them. Entry rows are spooled as they are read. Peak
// memory is one run plus one record plus a read buffer per run, not one map
// entry per name (2 million names in a 6 MB zip took 1.1 GB before).

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// runBudget bounds the bytes of one in-memory run (keys plus per-pair
// overhead). A variable so tests can force many runs.
var runBudget = 32 << 20

// pairOverhead approximates the memory of one pair beyond its key bytes
// (the string header and the entry number in the slice, and the key's
// allocation rounding).
const pairOverhead = 32

type keyPair struct {
	key string
	id  uint32
}

func comparePairs(a, b keyPair) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	switch {
	case a.id < b.id:
		return -1
	case a.id > b.id:
		return 1
	}
	return 0
}

// indexSpool holds the temporary files of one index build.
type indexSpool struct {
	dir     string
	files   []*os.File
	runs    *os.File
	runBW   *bufio.Writer
	runEnds []int64
	runOff  int64

	entries *os.File
	entBW   *bufio.Writer

	pairs     []keyPair
	pairBytes int
	// maxRunBytes is the largest run held in memory (for tests).
	maxRunBytes int
}

func newIndexSpool(dir string) (*indexSpool, error) {
	s := &indexSpool{dir: dir}
	var err error
	if s.runs, err = s.temp(); err != nil {
		return nil, err
	}
	if s.entries, err = s.temp(); err != nil {
		s.close()
		return nil, err
	}
	s.runBW = bufio.NewWriterSize(s.runs, 64<<10)
	s.entBW = bufio.NewWriterSize(s.entries, 64<<10)
	return s, nil
}

func (s *indexSpool) temp() (*os.File, error) {
	f, err := os.CreateTemp(s.dir, ".guard-index-build-*")
	if err != nil {
		return nil, fmt.Errorf("index build: %w", err)
	}
	s.files = append(s.files, f)
	return f, nil
}

func (s *indexSpool) close() {
	for _, f := range s.files {
		f.Close()
		os.Remove(f.Name())
	}
	s.files = nil
}

// addEntry spools one entry row.
func (s *indexSpool) addEntry(e entryRow) error {
	var row [entryRowSize]byte
	le := binary.LittleEndian
	le.PutUint64(row[0:], e.DataOff)
	le.PutUint64(row[8:], e.CompSize)
	le.PutUint64(row[16:], e.Size)
	le.PutUint32(row[24:], e.CRC)
	le.PutUint16(row[28:], e.Method)
	_, err := s.entBW.Write(row[:])
	return err
}

// addKey records that entry id names key.
func (s *indexSpool) addKey(key string, id uint32) error {
	s.pairs = append(s.pairs, keyPair{key, id})
	s.pairBytes += len(key) + pairOverhead
	s.maxRunBytes = max(s.maxRunBytes, s.pairBytes)
	if s.pairBytes >= runBudget {
		return s.flushRun()
	}
	return nil
}

// flushRun sorts the pairs in memory and appends them to the runs file as
// one sorted run (uvarint key length, key, uint32 entry number).
func (s *indexSpool) flushRun() error {
	if len(s.pairs) == 0 {
		return nil
	}
	slices.SortFunc(s.pairs, comparePairs)
	var hdr [binary.MaxVarintLen64 + 4]byte
	var prev keyPair
	for i, p := range s.pairs {
		if i > 0 && p == prev {
			continue
		}
		prev = p
		n := binary.PutUvarint(hdr[:], uint64(len(p.key)))
		if _, err := s.runBW.Write(hdr[:n]); err != nil {
			return err
		}
		s.runBW.WriteString(p.key)
		binary.LittleEndian.PutUint32(hdr[:4], p.id)
		if _, err := s.runBW.Write(hdr[:4]); err != nil {
			return err
		}
		s.runOff += int64(n + len(p.key) + 4)
	}
	s.runEnds = append(s.runEnds, s.runOff)
	clear(s.pairs) // let the keys go
	s.pairs = s.pairs[:0]
	s.pairBytes = 0
	return nil
}

// runCursor reads one sorted run.
type runCursor struct {
	r   *bufio.Reader
	cur keyPair
	key []byte
}

func (c *runCursor) next() (bool, error) {
	n, err := binary.ReadUvarint(c.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if n > MaxRecordSize {
		return false, errors.New("index build: corrupt run")
	}
	c.key = grow(c.key, int(n))
	if _, err := io.ReadFull(c.r, c.key); err != nil {
		return false, err
	}
	var id [4]byte
	if _, err := io.ReadFull(c.r, id[:]); err != nil {
		return false, err
	}
	c.cur = keyPair{string(c.key), binary.LittleEndian.Uint32(id[:])}
	return true, nil
}

type runHeap []*runCursor

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return comparePairs(h[i].cur, h[j].cur) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runCursor)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// write merges the runs and writes the whole index to w; it returns the
// number of distinct keys.
func (s *indexSpool) write(ctx context.Context, w io.Writer, zipSize int64, sum [32]byte, res buildResult) (int, error) {
	if err := s.flushRun(); err != nil {
		return 0, err
	}
	if err := s.runBW.Flush(); err != nil {
		return 0, err
	}
	if err := s.entBW.Flush(); err != nil {
		return 0, err
	}
	namesF, err := s.temp()
	if err != nil {
		return 0, err
	}
	stringsF, err := s.temp()
	if err != nil {
		return 0, err
	}
	postF, err := s.temp()
	if err != nil {
		return 0, err
	}
	names := bufio.NewWriterSize(namesF, 64<<10)
	strs := bufio.NewWriterSize(stringsF, 64<<10)
	posts := bufio.NewWriterSize(postF, 64<<10)

	// Read buffers shrink as runs multiply, so that together they stay
	// within about one run budget.
	bufSize := max(4<<10, min(64<<10, runBudget/max(1, len(s.runEnds))))
	h := make(runHeap, 0, len(s.runEnds))
	start := int64(0)
	for _, end := range s.runEnds {
		c := &runCursor{r: bufio.NewReaderSize(io.NewSectionReader(s.runs, start, end-start), bufSize)}
		start = end
		ok, err := c.next()
		if err != nil {
			return 0, fmt.Errorf("index build: reading a run: %w", err)
		}
		if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)

	le := binary.LittleEndian
	var (
		keys                 int
		stringsLen, postings uint64
		curKey               string
		curPosts             uint32
		havePrev             bool
		prev                 keyPair
		row                  [nameRowSize]byte
		p4                   [4]byte
	)
	emit := func() error {
		if curPosts == 0 {
			return nil
		}
		if stringsLen+uint64(len(curKey)) > uint64(^uint32(0)) || postings > uint64(^uint32(0)) {
			return errors.New("index too large")
		}
		clear(row[:])
		copy(row[:namePrefixLen], curKey)
		le.PutUint32(row[16:], uint32(stringsLen))
		le.PutUint32(row[20:], uint32(len(curKey)))
		le.PutUint32(row[24:], uint32(postings-uint64(curPosts)))
		le.PutUint32(row[28:], curPosts)
		names.Write(row[:])
		strs.WriteString(curKey)
		stringsLen += uint64(len(curKey))
		keys++
		return nil
	}
	for n := 0; h.Len() > 0; n++ {
		if n&0xffff == 0 && ctx.Err() != nil {
			return 0, ctx.Err()
		}
		c := h[0]
		p := c.cur
		if ok, err := c.next(); err != nil {
			return 0, fmt.Errorf("index build: reading a run: %w", err)
		} else if ok {
			heap.Fix(&h, 0)
		} else {
			heap.Pop(&h)
		}
		if havePrev && p == prev {
			continue // the same pair in two runs
		}
		havePrev, prev = true, p
		if p.key != curKey || curPosts == 0 {
			if err := emit(); err != nil {
				return 0, err
			}
			curKey, curPosts = p.key, 0
		}
		le.PutUint32(p4[:], p.id)
		posts.Write(p4[:])
		postings++
		curPosts++
	}
	if err := emit(); err != nil {
		return 0, err
	}
	for _, bw := range []*bufio.Writer{names, strs, posts} {
		if err := bw.Flush(); err != nil {
			return 0, err
		}
	}

	hd := indexHeader{
		ZipSize: uint64(zipSize), ZipSHA256: sum,
		Records: uint32(res.Records), Withdrawn: uint32(res.Withdrawn),
		NameCount: uint64(keys), NamesOff: indexHeaderSize,
	}
	hd.StringsOff = hd.NamesOff + hd.NameCount*nameRowSize
	hd.StringsLen = stringsLen
	hd.PostOff = hd.StringsOff + stringsLen
	hd.PostCount = postings
	hd.EntriesOff = hd.PostOff + 4*postings
	if _, err := w.Write(hd.marshal()); err != nil {
		return 0, err
	}
	for _, f := range []*os.File{namesF, stringsF, postF, s.entries} {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		if _, err := io.Copy(w, ctxReader{ctx, f}); err != nil {
			return 0, err
		}
	}
	return keys, nil
}
