package advisory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/installguard/guard/lockfile/regfile"
	"github.com/installguard/guard/verify/atomicfile"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// DB is an offline copy of OSV's per-ecosystem export: a directory holding
// <ecosystem>/all.zip (the layout of OSV's bucket, e.g. npm/all.zip,
// PyPI/all.zip, crates.io/all.zip). It implements Source.
//
// Each ecosystem folder is opened on first use. A folder written by
// UpdateDB carries its own index (all.idx) and metadata (meta.json); for a
// folder without them (a read-only copy such as the test corpus) the index
// is built once and cached under the cache directory, keyed by the zip's
// SHA-256, and rebuilt when the zip changes (see index.go for the format).
//
// A DB is safe for concurrent use.
type DB struct {
	dir  string
	opts dbOptions
	now  func() time.Time

	mu   sync.Mutex
	ecos map[string]*ecoDB
	// preparing counts the Prepare goroutines still opening folders
	// (Close waits for them).
	preparing sync.WaitGroup
}

// Prepare opens the folders of the ecosystems named (index and record
// cache) on other goroutines and returns at once, so that a Query coming
// after finds them open: a check calls it as soon as it knows which
// ecosystems its lockfiles are, and reads them meanwhile. Errors are left
// for Query to meet again and report; cancelling ctx stops an index build.
func (db *DB) Prepare(ctx context.Context, ecosystems []string) {
	for _, eco := range ecosystems {
		if eco == "" {
			continue
		}
		db.preparing.Go(func() {
			if e, err := db.eco(ctx, db.folderFor(eco)); err == nil {
				e.recordCache()
			}
		})
	}
}

type dbOptions struct {
	cacheDir    string
	limits      Limits
	allowShrink bool
	idle        time.Duration
}

// Option configures OpenDB and UpdateDB.
type Option func(*dbOptions)

// WithCacheDir sets where indexes of DB folders that have none of their own
// are cached (default: os.UserCacheDir()/guard/osv-index).
func WithCacheDir(dir string) Option { return func(o *dbOptions) { o.cacheDir = dir } }

// WithLimits sets the limits applied when a zip is indexed or downloaded.
func WithLimits(l Limits) Option { return func(o *dbOptions) { o.limits = l } }

// WithAllowShrink lets UpdateDB replace an ecosystem by an export with
// fewer than half its records (guard db update --force).
func WithAllowShrink() Option { return func(o *dbOptions) { o.allowShrink = true } }

// WithIdleTimeout fails UpdateDB's download when the server sends nothing
// for d (default httpretry.DefaultIdle).
func WithIdleTimeout(d time.Duration) Option { return func(o *dbOptions) { o.idle = d } }

func buildOptions(opts []Option) dbOptions {
	var o dbOptions
	for _, opt := range opts {
		opt(&o)
	}
	o.limits = o.limits.withDefaults()
	return o
}

// ecoDB is one opened ecosystem folder.
type ecoDB struct {
	name      string // folder name (the ecosystem)
	root      *os.Root
	zip       *os.File
	idxCloser io.Closer
	r         *indexReader
	meta      *dbMeta // nil when the folder has no metadata
	zipMod    time.Time
	indexPath string // where the index was found or cached ("" if in memory)
	// cacheRoot is the index cache folder ("" when there is none), where
	// the record cache of this zip is kept (reccache.go).
	cacheRoot string
	rcOnce    sync.Once
	rc        *recordCache
}

// recordCache opens (once) the record cache of the ecosystem's zip; nil
// when there is no cache folder.
func (e *ecoDB) recordCache() *recordCache {
	e.rcOnce.Do(func() {
		if e.cacheRoot != "" {
			e.rc = openRecordCache(e.cacheRoot, e.r.h.ZipSHA256)
		}
	})
	return e.rc
}

// dbMeta is meta.json, written by UpdateDB next to all.zip and all.idx.
type dbMeta struct {
	Ecosystem string    `json:"ecosystem"`
	WrittenAt time.Time `json:"written_at"`
	Source    string    `json:"source,omitempty"`
	ZipSHA256 string    `json:"zip_sha256"`
	ZipSize   int64     `json:"zip_size"`
	Records   int       `json:"records"`
	Withdrawn int       `json:"withdrawn"`
}

// OpenDB opens an offline OSV DB directory. It fails when dir is not a
// directory holding at least one <ecosystem>/all.zip.
func OpenDB(dir string, opts ...Option) (*DB, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("offline OSV DB: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("offline OSV DB %s: not a directory", dir)
	}
	db := &DB{dir: dir, opts: buildOptions(opts), now: time.Now, ecos: map[string]*ecoDB{}}
	ecos, err := db.Ecosystems()
	if err != nil {
		return nil, err
	}
	if len(ecos) == 0 {
		return nil, fmt.Errorf("offline OSV DB %s: no <ecosystem>/all.zip found (run the DB update first)", dir)
	}
	return db, nil
}

// Dir returns the DB directory.
func (db *DB) Dir() string { return db.dir }

// Ecosystems lists the ecosystem folders that hold an all.zip, sorted.
func (db *DB) Ecosystems() ([]string, error) {
	ents, err := os.ReadDir(db.dir)
	if err != nil {
		return nil, fmt.Errorf("offline OSV DB: %w", err)
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue // dot-folders are UpdateDB's work in progress
		}
		if _, err := os.Stat(filepath.Join(db.dir, e.Name(), zipFileName)); err == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Close releases the open files.
func (db *DB) Close() error {
	db.preparing.Wait()
	db.mu.Lock()
	defer db.mu.Unlock()
	var errs []error
	for _, e := range db.ecos {
		errs = append(errs, e.close())
	}
	db.ecos = map[string]*ecoDB{}
	return errors.Join(errs...)
}

func (e *ecoDB) close() error {
	var errs []error
	if e.idxCloser != nil {
		errs = append(errs, e.idxCloser.Close())
	}
	if e.zip != nil {
		errs = append(errs, e.zip.Close())
	}
	if e.root != nil {
		errs = append(errs, e.root.Close())
	}
	return errors.Join(errs...)
}

// folderFor returns the folder that answers queries of an ecosystem: the
// exact name, else the base ecosystem ("Debian:11" → "Debian").
func (db *DB) folderFor(ecosystem string) string {
	if ecosystem != "" && !strings.ContainsAny(ecosystem, `/\`) {
		if st, err := os.Stat(filepath.Join(db.dir, ecosystem)); err == nil && st.IsDir() {
			return ecosystem
		}
	}
	return BaseEcosystem(ecosystem)
}

// eco opens (once) the folder of an ecosystem.
func (db *DB) eco(ctx context.Context, name string) (*ecoDB, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if e, ok := db.ecos[name]; ok {
		return e, nil
	}
	e, err := db.openEco(ctx, name)
	if err != nil {
		return nil, err
	}
	db.ecos[name] = e
	return e, nil
}

func (db *DB) openEco(ctx context.Context, name string) (*ecoDB, error) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("offline OSV DB %s: invalid ecosystem %q", db.dir, name)
	}
	folder := filepath.Join(db.dir, name)
	// Every file of the folder is opened through one directory handle, so an
	// UpdateDB that swaps the folder meanwhile cannot pair an old zip with a
	// new index.
	root, err := os.OpenRoot(folder)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("offline OSV DB %s has no %s advisories (folder %s missing): update the DB for this ecosystem", db.dir, name, folder)
		}
		return nil, fmt.Errorf("offline OSV DB: %w", err)
	}
	e := &ecoDB{name: name, root: root}
	if c, err := db.cacheRoot(); err == nil {
		e.cacheRoot = c
	}
	ok := false
	defer func() {
		if !ok {
			e.close()
		}
	}()
	e.zip, err = regfile.OpenIn(root, zipFileName)
	if err != nil {
		return nil, fmt.Errorf("offline OSV DB %s: %w", folder, err)
	}
	st, err := e.zip.Stat()
	if err != nil {
		return nil, fmt.Errorf("offline OSV DB %s: %w", folder, err)
	}
	if st.Size() > db.opts.limits.withDefaults().MaxDownload {
		return nil, regfile.TooLarge(filepath.Join(folder, zipFileName), db.opts.limits.withDefaults().MaxDownload)
	}
	e.zipMod = st.ModTime()
	zipPath := filepath.Join(folder, zipFileName)

	// 1. The index written by UpdateDB, when it describes this zip.
	if m, err := readMeta(root); err == nil && m.ZipSize == st.Size() {
		e.meta = m
		idx, err := regfile.OpenIn(root, indexFileName)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: metadata present but index unreadable: %v (update the DB again)", ErrCorrupt, folder, err)
		}
		e.idxCloser = idx
		ist, err := idx.Stat()
		if err != nil {
			return nil, err
		}
		r, err := newIndexReader(preloadIndex(idx, ist.Size()), ist.Size(), e.zip, st.Size(), db.opts.limits.MaxEntrySize)
		if err != nil {
			return nil, fmt.Errorf("%s: %w (update the DB again)", filepath.Join(folder, indexFileName), err)
		}
		if hex.EncodeToString(r.h.ZipSHA256[:]) != m.ZipSHA256 {
			return nil, fmt.Errorf("%w: %s: index and metadata describe different zips (update the DB again)", ErrCorrupt, folder)
		}
		e.r, e.indexPath = r, filepath.Join(folder, indexFileName)
		ok = true
		return e, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, filepath.Join(folder, metaFileName), err)
	}

	// 2. A cached index for this zip's content, built if missing.
	if err := db.openCached(ctx, e, zipPath, st); err != nil {
		return nil, err
	}
	ok = true
	return e, nil
}

func readMeta(root *os.Root) (*dbMeta, error) {
	b, err := regfile.ReadIn(root, metaFileName, 1<<20)
	if err != nil {
		return nil, err
	}
	var m dbMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("invalid metadata: %w", err)
	}
	return &m, nil
}

// cacheLocator remembers which zip content sits at a path, so that an
// unchanged zip is not hashed again on every run.
type cacheLocator struct {
	Path    string `json:"path"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mod_time_ns"`
	SHA256  string `json:"sha256"`
}

func (db *DB) cacheRoot() (string, error) {
	if db.opts.cacheDir != "" {
		return db.opts.cacheDir, nil
	}
	return DefaultIndexCacheDir()
}

// DefaultIndexCacheDir is os.UserCacheDir()/guard/osv-index.
func DefaultIndexCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "guard", "osv-index"), nil
}

func (db *DB) openCached(ctx context.Context, e *ecoDB, zipPath string, st fs.FileInfo) error {
	abs, err := filepath.Abs(zipPath)
	if err != nil {
		abs = zipPath
	}
	cache, cacheErr := db.cacheRoot()
	var sum [32]byte
	haveSum := false
	pathKey := sha256.Sum256([]byte(abs))
	locPath := ""
	if cacheErr == nil {
		locPath = filepath.Join(cache, "by-path", hex.EncodeToString(pathKey[:])+".json")
		if b, err := regfile.Read(locPath, 1<<20); err == nil {
			var loc cacheLocator
			if json.Unmarshal(b, &loc) == nil && loc.Path == abs && loc.Size == st.Size() && loc.ModTime == st.ModTime().UnixNano() {
				if s, err := hex.DecodeString(loc.SHA256); err == nil && len(s) == 32 {
					copy(sum[:], s)
					haveSum = true
				}
			}
		}
	}
	if !haveSum {
		h := sha256.New()
		if _, err := io.Copy(h, ctxReader{ctx, io.NewSectionReader(e.zip, 0, st.Size())}); err != nil {
			return fmt.Errorf("%w: reading %s: %v", ErrCorrupt, zipPath, err)
		}
		copy(sum[:], h.Sum(nil))
	}

	if cacheErr == nil {
		dir := filepath.Join(cache, hex.EncodeToString(sum[:]))
		idxPath := filepath.Join(dir, indexFileName)
		if r, closer, err := openIndexFile(idxPath, e.zip, st.Size(), sum, db.opts.limits.MaxEntrySize); err == nil {
			e.r, e.idxCloser, e.indexPath = r, closer, idxPath
		} else {
			// Missing or damaged cache entry: (re)build it. The cache is ours
			// to repair; the DB itself was not touched.
			if err := db.buildCached(ctx, e, zipPath, st.Size(), sum, dir); err == nil {
				r, closer, err := openIndexFile(idxPath, e.zip, st.Size(), sum, db.opts.limits.MaxEntrySize)
				if err != nil {
					return err
				}
				e.r, e.idxCloser, e.indexPath = r, closer, idxPath
			} else if !isCacheWriteError(err) {
				return err
			}
		}
		if e.r != nil {
			if !haveSum {
				writeLocator(locPath, cacheLocator{Path: abs, Size: st.Size(), ModTime: st.ModTime().UnixNano(), SHA256: hex.EncodeToString(sum[:])})
			}
			return nil
		}
	}
	// No usable cache directory: build the index into a temporary file for
	// this run (removed at once; the open handle keeps it readable on Unix,
	// and Close removes it elsewhere). Not in memory: an index can be large.
	tmp, err := os.CreateTemp("", ".guard-osv-index-*")
	if err != nil {
		return fmt.Errorf("building the index of %s: %w", zipPath, err)
	}
	name := tmp.Name()
	if _, err := buildIndex(ctx, e.zip, st.Size(), zipPath, sum, e.name, db.opts.limits, tmp, ""); err != nil {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	ist, err := tmp.Stat()
	if err == nil {
		var r *indexReader
		if r, err = newIndexReader(tmp, ist.Size(), e.zip, st.Size(), db.opts.limits.MaxEntrySize); err == nil {
			e.r, e.idxCloser = r, removeOnClose{tmp}
			os.Remove(name) // fails harmlessly where open files cannot be removed
			return nil
		}
	}
	tmp.Close()
	os.Remove(name)
	return err
}

// removeOnClose closes a temporary file and removes it.
type removeOnClose struct{ f *os.File }

func (r removeOnClose) Close() error {
	err := r.f.Close()
	os.Remove(r.f.Name())
	return err
}

func openIndexFile(path string, zipR io.ReaderAt, zipSize int64, sum [32]byte, maxEntry int64) (*indexReader, io.Closer, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	r, err := newIndexReader(preloadIndex(f, st.Size()), st.Size(), zipR, zipSize, maxEntry)
	if err == nil && r.h.ZipSHA256 != sum {
		err = fmt.Errorf("%w: cached index describes another zip", ErrCorrupt)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f, nil
}

// preloadMax is the largest index read whole into memory when opened.
const preloadMax = 8 << 20

// preloadIndex returns an index file as a ReaderAt: read whole into memory
// when it is small (the corpus npm index is ~300 KB), so that the thousand
// or so row reads of a check are memory reads rather than one pread(2)
// each; larger indexes, and any read failure, keep reading from the file.
func preloadIndex(f *os.File, size int64) io.ReaderAt {
	if size <= 0 || size > preloadMax {
		return f
	}
	b := make([]byte, size)
	if n, err := f.ReadAt(b, 0); int64(n) != size || (err != nil && err != io.EOF) {
		return f
	}
	return bytes.NewReader(b)
}

type cacheWriteError struct{ err error }

func (e cacheWriteError) Error() string { return "index cache: " + e.err.Error() }
func (e cacheWriteError) Unwrap() error { return e.err }

func isCacheWriteError(err error) bool {
	var c cacheWriteError
	return errors.As(err, &c)
}

// buildCached builds the index into the cache: written to a temporary file
// and renamed into place, so concurrent builders (two guard runs) each
// publish a complete, identical file.
func (db *DB) buildCached(ctx context.Context, e *ecoDB, zipPath string, zipSize int64, sum [32]byte, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cacheWriteError{err}
	}
	tmp, err := os.CreateTemp(dir, ".all.idx-*")
	if err != nil {
		return cacheWriteError{err}
	}
	defer os.Remove(tmp.Name())
	if _, err := buildIndex(ctx, e.zip, zipSize, zipPath, sum, e.name, db.opts.limits, tmp, dir); err != nil {
		tmp.Close()
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err := tmp.Close(); err != nil {
		return cacheWriteError{err}
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, indexFileName)); err != nil {
		return cacheWriteError{err}
	}
	return nil
}

func writeLocator(path string, loc cacheLocator) {
	b, _ := json.Marshal(loc)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	_ = atomicfile.WriteBytes(path, b, 0o600, false) // a cache: failing to write only costs time
}

// Query implements Source: for each query, the records that affect it
// (Affects), sorted by id. Queries of an ecosystem the DB does not hold, and
// any read or integrity failure, are errors.
func (db *DB) Query(ctx context.Context, qs []Query) ([][]*osvschema.Vulnerability, error) {
	out := make([][]*osvschema.Vulnerability, len(qs))
	// Group queries by folder, then by key, so each name is looked up once.
	type nameQueries struct{ idx []int }
	byFolder := map[string]map[string]*nameQueries{}
	folderOf := map[string]string{}
	var folders []string
	for i, q := range qs {
		if q.Ecosystem == "" || q.Name == "" {
			return nil, fmt.Errorf("query %d: ecosystem and name are required (got %+v)", i, q)
		}
		f, ok := folderOf[q.Ecosystem]
		if !ok {
			f = db.folderFor(q.Ecosystem)
			folderOf[q.Ecosystem] = f
		}
		m := byFolder[f]
		if m == nil {
			m = map[string]*nameQueries{}
			byFolder[f] = m
			folders = append(folders, f)
		}
		key := NormalizeName(q.Ecosystem, q.Name)
		if m[key] == nil {
			m[key] = &nameQueries{}
		}
		m[key].idx = append(m[key].idx, i)
	}
	slices.Sort(folders)
	for _, f := range folders {
		e, err := db.eco(ctx, f)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(byFolder[f]))
		for k := range byFolder[f] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		ids, err := e.lookupAll(ctx, keys)
		if err != nil {
			return nil, fmt.Errorf("offline OSV DB %s: %s %w", db.dir, f, err)
		}
		loaded, err := e.load(ctx, ids)
		if err != nil {
			return nil, err
		}
		for k, key := range keys {
			recs, err := e.records(key, ids[k], loaded)
			if err != nil {
				return nil, fmt.Errorf("offline OSV DB %s: %s %q: %w", db.dir, f, key, err)
			}
			for _, i := range byFolder[f][key].idx {
				for _, v := range recs {
					if Affects(v, qs[i]) {
						out[i] = append(out[i], v)
					}
				}
				slices.SortFunc(out[i], func(a, b *osvschema.Vulnerability) int { return strings.Compare(a.GetId(), b.GetId()) })
				// A zip holding one record twice (two entry names) answers it once.
				out[i] = slices.CompactFunc(out[i], func(a, b *osvschema.Vulnerability) bool { return a.GetId() == b.GetId() })
			}
		}
	}
	return out, nil
}

// lookupAll looks the keys (sorted) up in the index: one contiguous run of
// them per CPU, each with its own lookup cache (neighbouring keys share
// the first steps of their binary searches). The error names the first
// key, in order, whose lookup failed.
func (e *ecoDB) lookupAll(ctx context.Context, keys []string) ([][]uint32, error) {
	ids := make([][]uint32, len(keys))
	errs := make([]error, len(keys))
	parts := min(runtime.GOMAXPROCS(0), max(1, len(keys)/256))
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			lc := newLookupCache()
			for k := p * len(keys) / parts; k < (p+1)*len(keys)/parts && ctx.Err() == nil; k++ {
				ids[k], errs[k] = e.r.lookup(keys[k], lc)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for k, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%q: %w", keys[k], err)
		}
	}
	return ids, nil
}

// loadedRecord is a record read and decoded by load, or why it could not be.
type loadedRecord struct {
	v      *osvschema.Vulnerability
	err    error
	cached bool // from the record cache
}

// load reads and decodes the records ids name (each once), on one
// goroutine per CPU: inflating and decoding the few dozen records a
// lockfile's names lead to is most of a query's time, hence the record
// cache, which answers first and then learns the records read from the
// zip.
func (e *ecoDB) load(ctx context.Context, ids [][]uint32) (map[uint32]*loadedRecord, error) {
	rc := e.recordCache()
	loaded := map[uint32]*loadedRecord{}
	var todo []uint32
	for _, l := range ids {
		for _, id := range l {
			if loaded[id] == nil {
				loaded[id] = &loadedRecord{}
				todo = append(todo, id)
			}
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Go(func() {
			for {
				n := int(next.Add(1)) - 1
				if n >= len(todo) || ctx.Err() != nil {
					return
				}
				id := todo[n]
				l := loaded[id] // written by this goroutine only; the map is not changed
				if rc != nil {
					if l.v, l.cached = rc.get(id); l.cached {
						continue
					}
				}
				data, err := e.r.readEntry(id)
				if err != nil {
					l.err = err
					continue
				}
				if l.v, err = DecodeRecord(data); err != nil {
					l.err = fmt.Errorf("%w: record %d: %v", ErrCorrupt, id, err)
				}
			}
		})
	}
	wg.Wait()
	if rc != nil && ctx.Err() == nil {
		read := map[uint32]*osvschema.Vulnerability{}
		for id, l := range loaded {
			if l.err == nil && !l.cached {
				read[id] = l.v
			}
		}
		if len(read) > 0 {
			_ = rc.add(read, todo) // a cache: failing to write only costs time
		}
	}
	return loaded, ctx.Err()
}

// records returns the loaded records of ids, every one of which
// (withdrawn included) must name key in this ecosystem folder.
func (e *ecoDB) records(key string, ids []uint32, loaded map[uint32]*loadedRecord) ([]*osvschema.Vulnerability, error) {
	out := make([]*osvschema.Vulnerability, 0, len(ids))
	for _, id := range ids {
		l := loaded[id]
		if l.err != nil {
			return nil, l.err
		}
		v := l.v
		if !namesKey(v, e.name, key) {
			return nil, fmt.Errorf("%w: index lists %s under %q but the record does not name it", ErrCorrupt, v.GetId(), key)
		}
		out = append(out, v)
	}
	return out, nil
}

func namesKey(v *osvschema.Vulnerability, folder, key string) bool {
	base := BaseEcosystem(folder)
	for _, a := range v.GetAffected() {
		p := a.GetPackage()
		if p != nil && BaseEcosystem(p.GetEcosystem()) == base && NormalizeName(base, p.GetName()) == key {
			return true
		}
	}
	return false
}

// EcosystemStatus describes one ecosystem folder of an offline DB.
type EcosystemStatus struct {
	Ecosystem string
	// Records is the number of OSV records in all.zip (withdrawn included);
	// Withdrawn how many of them are withdrawn.
	Records   int
	Withdrawn int
	// WrittenAt is when UpdateDB wrote the folder (from meta.json). For a
	// folder UpdateDB did not write, it is the zip's modification time and
	// FromMetadata is false.
	WrittenAt    time.Time
	FromMetadata bool
	// Age is the time since WrittenAt.
	Age time.Duration
	// Source is the URL the zip was downloaded from, when known.
	Source string
	// ZipSHA256 is the zip's SHA-256 (hex), IndexPath where its index is
	// ("" when it could only be built in memory).
	ZipSHA256 string
	IndexPath string
	// Err is why the folder cannot be read (then the other fields may be
	// empty). Such a folder answers queries with an error.
	Err error
}

// Status reports every ecosystem folder of the DB. Opening a folder whose
// index is not built yet builds it. The error joins the folders' errors.
func (db *DB) Status() ([]EcosystemStatus, error) {
	names, err := db.Ecosystems()
	if err != nil {
		return nil, err
	}
	var out []EcosystemStatus
	var errs []error
	for _, n := range names {
		s := EcosystemStatus{Ecosystem: n}
		e, err := db.eco(context.Background(), n)
		if err != nil {
			s.Err = err
			errs = append(errs, err)
			out = append(out, s)
			continue
		}
		s.Records, s.Withdrawn = int(e.r.h.Records), int(e.r.h.Withdrawn)
		s.ZipSHA256 = hex.EncodeToString(e.r.h.ZipSHA256[:])
		s.IndexPath = e.indexPath
		s.WrittenAt = e.zipMod
		if e.meta != nil {
			s.WrittenAt, s.FromMetadata, s.Source = e.meta.WrittenAt, true, e.meta.Source
		}
		s.Age = db.now().Sub(s.WrittenAt)
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}
