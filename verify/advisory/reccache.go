package advisory

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	osvschema "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"

	"github.com/installguard/guard/lockfile/regfile"
	"github.com/installguard/guard/verify/atomicfile"
)

// The record cache keeps the records a query read from an ecosystem's zip,
// as protobuf binary, in the index cache folder of that zip's content
// (<cache>/<zip sha256>/records.bin). Checking the same lockfiles again
// against the same DB then reads them from one small file instead of
// inflating and decoding their OSV JSON (most of an offline query's time;
// protobuf's binary decoding is several times faster than its JSON one).
// The records are exactly those the zip holds, decoded once: a cached
// record answers a query as the zip's would. A new DB (another zip) gets
// another folder. The file is a cache like the index beside it: one that
// cannot be read or parsed, or a record that does not decode, is ignored
// and written again; the names a record must match are still checked
// (ecoDB.records).
//
// The file format is ours (written by hand; no kept library has one): the
// magic line, then per record its id in the zip's index and its length as
// uvarints, then its protobuf bytes; ids strictly ascending.

const (
	recCacheName  = "records.bin"
	recCacheMagic = "guard-osv-records 1\n"
	// recCacheMax bounds the file read and written; recCacheMaxRecords the
	// records kept. Past either, only the last query's records are kept.
	recCacheMax        = 16 << 20
	recCacheMaxRecords = 8192
)

var errTooManyRecords = errors.New("record cache: one query's records exceed its bounds")

// recordCache is the record cache of one ecosystem zip; recs maps record
// ids to protobuf bytes.
type recordCache struct {
	path string
	mu   sync.RWMutex // queries of one DB may run at once
	recs map[uint32][]byte
}

// openRecordCache reads the cache for the zip with content sum under the
// cache root; a missing or unreadable file is an empty cache.
func openRecordCache(root string, sum [32]byte) *recordCache {
	c := &recordCache{path: filepath.Join(root, hex.EncodeToString(sum[:]), recCacheName), recs: map[uint32][]byte{}}
	data, err := regfile.Read(c.path, recCacheMax)
	if err != nil {
		return c
	}
	if recs, ok := parseRecordCache(data); ok {
		c.recs = recs
	}
	return c
}

// parseRecordCache parses the file; ok is false when it is not one whole.
func parseRecordCache(data []byte) (map[uint32][]byte, bool) {
	rest, ok := bytes.CutPrefix(data, []byte(recCacheMagic))
	if !ok {
		return nil, false
	}
	recs := map[uint32][]byte{}
	next := uint64(0) // ids ascend
	for len(rest) > 0 {
		id, n := binary.Uvarint(rest)
		if n <= 0 || id > 1<<32-1 || id < next {
			return nil, false
		}
		next = id + 1
		rest = rest[n:]
		size, n := binary.Uvarint(rest)
		if n <= 0 || size > uint64(len(rest)-n) || len(recs) >= recCacheMaxRecords {
			return nil, false
		}
		rest = rest[n:]
		recs[uint32(id)] = rest[:size:size]
		rest = rest[size:]
	}
	return recs, true
}

// get decodes the cached record id; ok is false when there is none or it
// does not decode.
func (c *recordCache) get(id uint32) (v *osvschema.Vulnerability, ok bool) {
	c.mu.RLock()
	b, ok := c.recs[id]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	v = &osvschema.Vulnerability{}
	if err := proto.Unmarshal(b, v); err != nil || v.GetId() == "" {
		return nil, false
	}
	return v, true
}

// add writes the cache with the records read from the zip added (best
// effort: the cache only saves time). used lists every record the query
// needed: when the file would grow past its bounds, only those are kept.
func (c *recordCache) add(read map[uint32]*osvschema.Vulnerability, used []uint32) error {
	if len(read) > recCacheMaxRecords {
		return errTooManyRecords // not worth marshalling what cannot be kept
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	recs := make(map[uint32][]byte, len(c.recs)+len(read))
	for id, b := range c.recs {
		recs[id] = b
	}
	for id, v := range read {
		b, err := proto.Marshal(v)
		if err != nil {
			return err
		}
		recs[id] = b
	}
	size := func() int {
		n := len(recCacheMagic)
		for _, b := range recs {
			n += 2*binary.MaxVarintLen32 + len(b)
		}
		return n
	}
	if len(recs) > recCacheMaxRecords || size() > recCacheMax {
		keep := make(map[uint32][]byte, len(used))
		for _, id := range used {
			if b, ok := recs[id]; ok {
				keep[id] = b
			}
		}
		recs = keep
		if len(recs) > recCacheMaxRecords || size() > recCacheMax {
			return errTooManyRecords
		}
	}
	ids := make([]uint32, 0, len(recs))
	for id := range recs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := []byte(recCacheMagic)
	for _, id := range ids {
		out = binary.AppendUvarint(out, uint64(id))
		out = binary.AppendUvarint(out, uint64(len(recs[id])))
		out = append(out, recs[id]...)
	}
	if err := mkdirCache(filepath.Dir(c.path)); err != nil {
		return err
	}
	if err := atomicfile.WriteBytes(c.path, out, 0o600, false); err != nil {
		return err
	}
	c.recs = recs
	return nil
}

// mkdirCache makes the cache folder of a zip (an index built by UpdateDB
// into the DB folder has none yet).
func mkdirCache(dir string) error {
	err := os.MkdirAll(dir, 0o755)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	return err
}
