package advisory

// The on-disk index of an offline OSV ecosystem export (<ecosystem>/all.zip).
//
// Goal: answering a query for N package names must cost O(N log M) small
// reads for a DB of M records, not a pass over the DB. The index is built
// once per DB update (or once per distinct zip, in a cache) by decoding every
// record; afterwards only the records of the queried names are read and
// decoded, straight out of all.zip.
//
// File layout (all.idx, little-endian):
//
//	header   indexHeaderSize bytes: magic, version, the zip it describes
//	         (size, SHA-256), record counts, section offsets, CRC-32 of
//	         the header itself.
//	names    nameCount rows of nameRowSize bytes, sorted by key (bytewise):
//	           prefix [16]byte  first 16 bytes of the key, zero padded
//	           keyOff  uint32   offset of the full key in the strings section
//	           keyLen  uint32
//	           postOff uint32   first posting (index into the postings array)
//	           postLen uint32   number of postings
//	strings  the keys, concatenated. A key is NormalizeName(ecosystem, name)
//	         of an affected[] entry whose base ecosystem is the folder's.
//	postings uint32 entry numbers, ascending per key.
//	entries  entryCount rows of entryRowSize bytes, one per JSON record:
//	           dataOff  uint64  offset of the entry's compressed data in all.zip
//	           compSize uint64
//	           size     uint64  uncompressed size
//	           crc32    uint32  CRC-32 of the uncompressed data
//	           method   uint16  zip.Store or zip.Deflate
//	           pad      uint16
//
// A lookup is a binary search over the fixed-size name rows with ReadAt:
// at most ceil(log2(names+1)) probes of one row read each, plus a read of the
// full key when the 16-byte prefix does not decide; rows read once in a query
// are kept for its other names. Then one read of the postings, one read per
// entry row and one read of each entry's compressed bytes from all.zip
// (only the records of the queried names), which are inflated with
// compress/flate and checked against the recorded CRC-32 and size. The zip's
// central directory is never parsed at query time (archive/zip would read
// all of it to open the archive, which is O(M)); that per-entry read is
// the only zip handling at query time; the build reads the central
// directory one record at a time (zipscan.go).
//
// Corruption is reported, never read as "no records": the header carries its
// own CRC, every section must lie inside the file, offsets are bounds-checked
// when used, postings must be ascending, a record whose bytes do not
// match the recorded CRC fails, and a record found under a key must name that
// package (else the index is corrupt).

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path"
	"strings"
	"sync"
)

const (
	indexMagic      = "GOSVIDX1"
	indexVersion    = 1
	indexHeaderSize = 128
	nameRowSize     = 32
	namePrefixLen   = 16
	entryRowSize    = 32
	indexFileName   = "all.idx"
	zipFileName     = "all.zip"
	metaFileName    = "meta.json"
)

// ErrCorrupt marks an offline DB that cannot be read: a corrupt or
// mismatched index or zip. It is never to be read as "no advisories".
var ErrCorrupt = errors.New("offline OSV DB is corrupt")

// Limits protect against hostile or broken zips when an index is built.
type Limits struct {
	// MaxEntrySize caps one record's uncompressed size.
	MaxEntrySize int64
	// MaxTotalSize caps the uncompressed size of all records together.
	MaxTotalSize int64
	// MaxEntries caps the number of entries in the zip.
	MaxEntries int
	// MaxDownload caps the size of a downloaded all.zip (UpdateDB).
	MaxDownload int64
}

// DefaultLimits leave a wide margin over OSV's real per-ecosystem exports
// while stopping zip bombs long before they exhaust memory or disk. With
// them an index build stays under 300 MiB of RSS whatever the zip holds
// (BenchmarkBuildIndexHostile*): records are decoded one at a time (an
// 8 MiB record is the largest single allocation, ~300 times OSV's largest
// npm/PyPI/crates.io record), and names are sorted on disk (indexsort.go).
var DefaultLimits = Limits{
	MaxEntrySize: 8 << 20,
	MaxTotalSize: 16 << 30,
	MaxEntries:   5_000_000,
	MaxDownload:  4 << 30,
}

func (l Limits) withDefaults() Limits {
	if l.MaxEntrySize <= 0 {
		l.MaxEntrySize = DefaultLimits.MaxEntrySize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultLimits.MaxTotalSize
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLimits.MaxEntries
	}
	if l.MaxDownload <= 0 {
		l.MaxDownload = DefaultLimits.MaxDownload
	}
	return l
}

type indexHeader struct {
	ZipSize    uint64
	ZipSHA256  [32]byte
	Records    uint32 // JSON records in the zip
	Withdrawn  uint32
	NameCount  uint64
	NamesOff   uint64
	StringsOff uint64
	StringsLen uint64
	PostOff    uint64
	PostCount  uint64
	EntriesOff uint64
	EntryCount uint64
}

func (h *indexHeader) marshal() []byte {
	b := make([]byte, indexHeaderSize)
	copy(b, indexMagic)
	le := binary.LittleEndian
	le.PutUint32(b[8:], indexVersion)
	le.PutUint64(b[16:], h.ZipSize)
	copy(b[24:56], h.ZipSHA256[:])
	le.PutUint32(b[56:], h.Records)
	le.PutUint32(b[60:], h.Withdrawn)
	le.PutUint64(b[64:], h.NameCount)
	le.PutUint64(b[72:], h.NamesOff)
	le.PutUint64(b[80:], h.StringsOff)
	le.PutUint64(b[88:], h.StringsLen)
	le.PutUint64(b[96:], h.PostOff)
	le.PutUint64(b[104:], h.PostCount)
	le.PutUint64(b[112:], h.EntriesOff)
	// EntryCount equals Records: every JSON record is one entry.
	le.PutUint32(b[124:], crc32.ChecksumIEEE(b[:124]))
	return b
}

func parseHeader(b []byte, fileSize int64) (indexHeader, error) {
	var h indexHeader
	if len(b) != indexHeaderSize || string(b[:8]) != indexMagic {
		return h, fmt.Errorf("%w: not a guard OSV index", ErrCorrupt)
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[8:]); v != indexVersion {
		return h, fmt.Errorf("%w: index version %d, want %d", ErrCorrupt, v, indexVersion)
	}
	if le.Uint32(b[124:]) != crc32.ChecksumIEEE(b[:124]) {
		return h, fmt.Errorf("%w: index header checksum mismatch", ErrCorrupt)
	}
	h.ZipSize = le.Uint64(b[16:])
	copy(h.ZipSHA256[:], b[24:56])
	h.Records = le.Uint32(b[56:])
	h.Withdrawn = le.Uint32(b[60:])
	h.NameCount = le.Uint64(b[64:])
	h.NamesOff = le.Uint64(b[72:])
	h.StringsOff = le.Uint64(b[80:])
	h.StringsLen = le.Uint64(b[88:])
	h.PostOff = le.Uint64(b[96:])
	h.PostCount = le.Uint64(b[104:])
	h.EntriesOff = le.Uint64(b[112:])
	h.EntryCount = uint64(h.Records)
	size := uint64(fileSize)
	within := func(off, n, unit uint64) bool {
		if n > size/unit+1 {
			return false
		}
		return off >= indexHeaderSize && off <= size && n*unit <= size-off
	}
	if !within(h.NamesOff, h.NameCount, nameRowSize) || !within(h.StringsOff, h.StringsLen, 1) ||
		!within(h.PostOff, h.PostCount, 4) || !within(h.EntriesOff, h.EntryCount, entryRowSize) ||
		h.Withdrawn > h.Records {
		return h, fmt.Errorf("%w: index sections out of bounds", ErrCorrupt)
	}
	return h, nil
}

type entryRow struct {
	DataOff  uint64
	CompSize uint64
	Size     uint64
	CRC      uint32
	Method   uint16
}

// buildResult is what an index build learned about the zip.
type buildResult struct {
	Records   int
	Withdrawn int
	Keys      int // distinct package names of the folder's ecosystem
	// MaxRunBytes is the largest run of keys held in memory (indexsort.go).
	MaxRunBytes int
}

// validEntryName rejects zip entry names that would escape a directory if
// extracted, or are otherwise not plain relative paths. The DB never
// extracts, but such a name means the archive was not written by an OSV
// exporter, so the archive is refused.
func validEntryName(name string) error {
	switch {
	case name == "":
		return errors.New("empty entry name")
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("entry name %q contains a backslash or NUL", name)
	case strings.HasPrefix(name, "/"), len(name) >= 2 && name[1] == ':':
		return fmt.Errorf("entry name %q is an absolute path", name)
	}
	for _, elem := range strings.Split(name, "/") {
		if elem == ".." {
			return fmt.Errorf("entry name %q escapes the archive (path traversal)", name)
		}
	}
	return nil
}

// buildIndex reads the zip in f (size bytes, SHA-256 sum; zipPath names it
// in errors), decodes every JSON record under the limits and writes the
// index to w. ecosystem is the folder's ecosystem: keys are made for
// affected[] entries of that base ecosystem only. ctx ends the build
// early. tmpDir ("" = the system's)
// holds the temporary files of the external sort (indexsort.go): memory
// stays bounded whatever the number of entries or names.
func buildIndex(ctx context.Context, f io.ReaderAt, size int64, zipPath string, sum [32]byte, ecosystem string, lim Limits, w io.Writer, tmpDir string) (buildResult, error) {
	lim = lim.withDefaults()
	var res buildResult
	d, err := findZipDir(f, size)
	if err != nil {
		return res, fmt.Errorf("%s: %w", zipPath, err)
	}
	if d.entries > uint64(lim.MaxEntries) {
		return res, fmt.Errorf("%s: %d entries exceed the limit of %d", zipPath, d.entries, lim.MaxEntries)
	}
	sp, err := newIndexSpool(tmpDir)
	if err != nil {
		return res, err
	}
	defer sp.close()
	base := BaseEcosystem(ecosystem)
	var total int64
	buf := new(bytes.Buffer)
	var fr io.ReadCloser
	seen := map[string]bool{} // keys of the current record
	err = scanZip(f, size, d, func(zf *zipEntryHdr) error {
		if err := ctx.Err(); err != nil {
			return err // Ctrl-C: an index build of millions of entries stops at once
		}
		if err := validEntryName(zf.Name); err != nil {
			return err
		}
		if strings.HasSuffix(zf.Name, "/") || path.Ext(zf.Name) != ".json" {
			return nil // OSV exports hold only <ID>.json; osv-scanner skips the rest too
		}
		if zf.Method != zip.Store && zf.Method != zip.Deflate {
			return fmt.Errorf("entry %s uses unsupported compression method %d", zf.Name, zf.Method)
		}
		if zf.Size > uint64(lim.MaxEntrySize) {
			return fmt.Errorf("entry %s declares %d bytes, over the per-entry limit of %d (zip bomb?)", zf.Name, zf.Size, lim.MaxEntrySize)
		}
		var src io.Reader = io.NewSectionReader(f, zf.DataOff, int64(zf.CompSize))
		if zf.Method == zip.Deflate {
			if fr == nil {
				fr = flate.NewReader(src)
			} else {
				fr.(flate.Resetter).Reset(src, nil)
			}
			src = fr
		}
		buf.Reset()
		// Read at most the limit + 1 whatever the header claims: a lying
		// header is caught here, and by the size and CRC checks below.
		n, err := io.Copy(buf, io.LimitReader(src, lim.MaxEntrySize+1))
		if err != nil {
			return fmt.Errorf("entry %s: %w", zf.Name, err)
		}
		if n > lim.MaxEntrySize {
			return fmt.Errorf("entry %s inflates past the per-entry limit of %d bytes (zip bomb?)", zf.Name, lim.MaxEntrySize)
		}
		if uint64(n) != zf.Size || crc32.ChecksumIEEE(buf.Bytes()) != zf.CRC32 {
			return fmt.Errorf("entry %s: %w: size or checksum does not match its header", zf.Name, zip.ErrChecksum)
		}
		total += n
		if total > lim.MaxTotalSize {
			return fmt.Errorf("records inflate past the total limit of %d bytes (zip bomb?)", lim.MaxTotalSize)
		}
		v, err := DecodeRecord(buf.Bytes())
		if err != nil {
			return fmt.Errorf("entry %s: %w", zf.Name, err)
		}
		if res.Records == int(^uint32(0)) {
			return errors.New("too many records")
		}
		id := uint32(res.Records)
		if err := sp.addEntry(entryRow{DataOff: uint64(zf.DataOff), CompSize: zf.CompSize, Size: uint64(n), CRC: zf.CRC32, Method: zf.Method}); err != nil {
			return fmt.Errorf("index build: %w", err)
		}
		res.Records++
		if v.GetWithdrawn() != nil {
			res.Withdrawn++
		}
		clear(seen)
		for _, a := range v.GetAffected() {
			p := a.GetPackage()
			if p == nil || p.GetName() == "" || BaseEcosystem(p.GetEcosystem()) != base {
				continue
			}
			key := NormalizeName(base, p.GetName())
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := sp.addKey(key, id); err != nil {
				return fmt.Errorf("index build: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("%s: %w", zipPath, err)
	}
	if res.Records == 0 {
		return res, fmt.Errorf("%s: no OSV records (*.json entries) in the zip", zipPath)
	}
	res.Keys, err = sp.write(ctx, w, size, sum, res)
	res.MaxRunBytes = sp.maxRunBytes
	return res, err
}

// indexReader answers lookups from an open index and its zip.
type indexReader struct {
	idx     io.ReaderAt
	zip     io.ReaderAt
	zipSize int64
	h       indexHeader
	// maxEntry caps one record when it is read back.
	maxEntry int64
}

func newIndexReader(idx io.ReaderAt, idxSize int64, zipR io.ReaderAt, zipSize int64, maxEntry int64) (*indexReader, error) {
	b := make([]byte, indexHeaderSize)
	if _, err := idx.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("%w: reading index header: %v", ErrCorrupt, err)
	}
	h, err := parseHeader(b, idxSize)
	if err != nil {
		return nil, err
	}
	if h.ZipSize != uint64(zipSize) {
		return nil, fmt.Errorf("%w: index describes a %d-byte zip, all.zip has %d bytes", ErrCorrupt, h.ZipSize, zipSize)
	}
	if maxEntry <= 0 {
		maxEntry = MaxRecordSize
	}
	return &indexReader{idx: idx, zip: zipR, zipSize: zipSize, h: h, maxEntry: maxEntry}, nil
}

type nameRow struct {
	prefix  [namePrefixLen]byte
	keyOff  uint32
	keyLen  uint32
	postOff uint32
	postLen uint32
}

func (r *indexReader) row(i uint64) (nameRow, error) {
	var b [nameRowSize]byte
	if _, err := r.idx.ReadAt(b[:], int64(r.h.NamesOff+i*nameRowSize)); err != nil {
		return nameRow{}, fmt.Errorf("%w: reading name row %d: %v", ErrCorrupt, i, err)
	}
	le := binary.LittleEndian
	var nr nameRow
	copy(nr.prefix[:], b[:namePrefixLen])
	nr.keyOff = le.Uint32(b[16:])
	nr.keyLen = le.Uint32(b[20:])
	nr.postOff = le.Uint32(b[24:])
	nr.postLen = le.Uint32(b[28:])
	if uint64(nr.keyOff)+uint64(nr.keyLen) > r.h.StringsLen || uint64(nr.postOff)+uint64(nr.postLen) > r.h.PostCount {
		return nameRow{}, fmt.Errorf("%w: name row %d out of bounds", ErrCorrupt, i)
	}
	return nr, nil
}

// compareKey compares the key of row nr with key, reading the full key only
// when the prefix does not decide (then it is returned too).
func (r *indexReader) compareKey(nr nameRow, key string) (int, string, error) {
	var kp [namePrefixLen]byte
	copy(kp[:], key)
	if c := bytes.Compare(nr.prefix[:], kp[:]); c != 0 {
		return c, "", nil
	}
	if nr.keyLen <= namePrefixLen && len(key) <= namePrefixLen {
		// Both fit in the prefix; zero padding cannot tell "a" from "a\x00",
		// which names never contain, so compare lengths.
		return int(nr.keyLen) - len(key), "", nil
	}
	full := make([]byte, nr.keyLen)
	if _, err := r.idx.ReadAt(full, int64(r.h.StringsOff)+int64(nr.keyOff)); err != nil {
		return 0, "", fmt.Errorf("%w: reading key: %v", ErrCorrupt, err)
	}
	if !bytes.HasPrefix(full, nr.prefix[:min(len(full), namePrefixLen)]) {
		return 0, "", fmt.Errorf("%w: key does not match its prefix", ErrCorrupt)
	}
	return strings.Compare(string(full), key), string(full), nil
}

// lookupCache keeps the name rows and keys read during one query, so the
// probes every binary search shares (the middle row, the quarters, ...) are
// read once per query rather than once per name.
type lookupCache struct {
	rows map[uint64]nameRow
	keys map[uint64]string
}

func newLookupCache() *lookupCache {
	return &lookupCache{rows: map[uint64]nameRow{}, keys: map[uint64]string{}}
}

// lookup returns the entry numbers of the records naming key. c may be nil.
func (r *indexReader) lookup(key string, c *lookupCache) ([]uint32, error) {
	lo, hi := uint64(0), r.h.NameCount
	for lo < hi {
		mid := lo + (hi-lo)/2
		var cmp int
		nr, ok := nameRow{}, false
		if c != nil {
			nr, ok = c.rows[mid]
		}
		if !ok {
			var err error
			if nr, err = r.row(mid); err != nil {
				return nil, err
			}
			if c != nil {
				c.rows[mid] = nr
			}
		}
		if full, ok := c.key(mid); ok {
			cmp = strings.Compare(full, key)
		} else {
			var full string
			var err error
			cmp, full, err = r.compareKey(nr, key)
			if err != nil {
				return nil, err
			}
			if full != "" && c != nil {
				c.keys[mid] = full
			}
		}
		switch {
		case cmp == 0:
			return r.postings(nr)
		case cmp < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return nil, nil
}

func (c *lookupCache) key(i uint64) (string, bool) {
	if c == nil {
		return "", false
	}
	k, ok := c.keys[i]
	return k, ok
}

func (r *indexReader) postings(nr nameRow) ([]uint32, error) {
	if nr.postLen == 0 {
		return nil, fmt.Errorf("%w: key without records", ErrCorrupt)
	}
	b := make([]byte, 4*int(nr.postLen))
	if _, err := r.idx.ReadAt(b, int64(r.h.PostOff)+4*int64(nr.postOff)); err != nil {
		return nil, fmt.Errorf("%w: reading postings: %v", ErrCorrupt, err)
	}
	ids := make([]uint32, nr.postLen)
	for i := range ids {
		ids[i] = binary.LittleEndian.Uint32(b[4*i:])
		if uint64(ids[i]) >= r.h.EntryCount || (i > 0 && ids[i] <= ids[i-1]) {
			return nil, fmt.Errorf("%w: bad posting", ErrCorrupt)
		}
	}
	return ids, nil
}

func (r *indexReader) entry(id uint32) (entryRow, error) {
	var b [entryRowSize]byte
	if uint64(id) >= r.h.EntryCount {
		return entryRow{}, fmt.Errorf("%w: entry %d out of range", ErrCorrupt, id)
	}
	if _, err := r.idx.ReadAt(b[:], int64(r.h.EntriesOff)+int64(id)*entryRowSize); err != nil {
		return entryRow{}, fmt.Errorf("%w: reading entry row: %v", ErrCorrupt, err)
	}
	le := binary.LittleEndian
	e := entryRow{
		DataOff: le.Uint64(b[0:]), CompSize: le.Uint64(b[8:]), Size: le.Uint64(b[16:]),
		CRC: le.Uint32(b[24:]), Method: le.Uint16(b[28:]),
	}
	if e.DataOff > uint64(r.zipSize) || e.CompSize > uint64(r.zipSize)-e.DataOff ||
		e.Size > uint64(r.maxEntry) || (e.Method != zip.Store && e.Method != zip.Deflate) {
		return entryRow{}, fmt.Errorf("%w: entry row %d out of bounds", ErrCorrupt, id)
	}
	return e, nil
}

// readEntry returns the uncompressed bytes of record id, checked against the
// size and CRC-32 recorded at build time.
func (r *indexReader) readEntry(id uint32) ([]byte, error) {
	e, err := r.entry(id)
	if err != nil {
		return nil, err
	}
	var src io.Reader = io.NewSectionReader(r.zip, int64(e.DataOff), int64(e.CompSize))
	if e.CompSize <= 2*e.Size+1024 {
		// One read of the compressed bytes; a bytes.Reader also spares
		// flate the bufio.Reader it wraps other readers in. (A larger
		// CompSize than deflate could produce is read as a stream, so a
		// damaged index cannot make this allocate more than a record.)
		comp := make([]byte, e.CompSize)
		if n, err := r.zip.ReadAt(comp, int64(e.DataOff)); n != len(comp) {
			return nil, fmt.Errorf("%w: record %d in all.zip: %v", ErrCorrupt, id, err)
		}
		src = bytes.NewReader(comp)
	}
	if e.Method == zip.Deflate {
		// A flate reader holds ~40 KB of tables: reuse them across records
		// (a check reads dozens) instead of allocating them per record.
		fr, _ := flatePool.Get().(io.ReadCloser)
		if fr == nil {
			fr = flate.NewReader(src)
		} else if err := fr.(flate.Resetter).Reset(src, nil); err != nil {
			fr = flate.NewReader(src)
		}
		defer flatePool.Put(fr)
		src = fr
	}
	// Size+1 bytes of room: a record longer than the index says is caught
	// by the length check below without growing the buffer.
	data := make([]byte, e.Size+1)
	n, err := io.ReadFull(src, data)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%w: record %d in all.zip: %v", ErrCorrupt, id, err)
	}
	data = data[:n]
	if uint64(n) != e.Size || crc32.ChecksumIEEE(data) != e.CRC {
		return nil, fmt.Errorf("%w: record %d in all.zip does not match the index (zip changed or damaged)", ErrCorrupt, id)
	}
	return data, nil
}

// ctxReader stops a long read (hashing a multi-GB zip) when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}

// flatePool holds flate readers for readEntry.
var flatePool sync.Pool
