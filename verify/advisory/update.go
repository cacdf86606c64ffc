package advisory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/installguard/guard/lockfile/regfile"
	"github.com/installguard/guard/verify/httpretry"
)

// DefaultDBURL is where OSV publishes its per-ecosystem exports
// (<base>/<ecosystem>/all.zip).
const DefaultDBURL = "https://osv-vulnerabilities.storage.googleapis.com"

// userAgent identifies guard to OSV's servers.
const userAgent = "guard (github.com/installguard/guard)"

// UpdateDB downloads <baseURL>/<ecosystem>/all.zip for each ecosystem into
// dir (created if missing), verifies it is a readable zip of OSV records of
// that ecosystem (every record decodes, within the Limits), builds its index
// and replaces dir/<ecosystem> atomically. baseURL "" means DefaultDBURL;
// client nil means a client with a 30-minute timeout.
//
// Atomicity and concurrency: the new folder is assembled in a dot-named
// temporary folder inside dir (zip, index, meta.json with the written-at
// time), flushed to disk, then swapped in by rename (on Linux one atomic
// renameat2 RENAME_EXCHANGE, so readers always see a complete folder;
// elsewhere two renames, and a reader in between gets a "missing folder"
// error, never a partial DB). A failed download or verification leaves the
// old folder untouched. Updates of one ecosystem are serialised by a lock
// file in dir (flock on Unix), so two updates at once run one after the
// other; readers need no lock, because they open a folder's files through
// one directory handle.
//
// Ecosystems are updated one after the other; the error joins the failures,
// and the ecosystems that succeeded stay updated.
//
// Trust: the DB decides what every later check allows, so it is fetched
// over https only (redirects too; a test passes a client that trusts its
// own httptest CA), and an export with fewer than half the records the
// ecosystem has now is refused unless WithAllowShrink is given (a truncated
// or substituted export would otherwise silently allow everything).
func UpdateDB(ctx context.Context, dir, baseURL string, ecosystems []string, client *http.Client, opts ...Option) error {
	if len(ecosystems) == 0 {
		return errors.New("UpdateDB: no ecosystems given")
	}
	if baseURL == "" {
		baseURL = DefaultDBURL
	}
	if u, err := url.Parse(baseURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("the DB URL %q is not an https URL: the offline DB is only downloaded over https", baseURL)
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Minute}
	}
	client = httpsOnly(client)
	o := buildOptions(opts)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("UpdateDB: %w", err)
	}
	var errs []error
	for _, eco := range ecosystems {
		if err := updateEcosystem(ctx, dir, strings.TrimRight(baseURL, "/"), eco, client, o); err != nil {
			errs = append(errs, fmt.Errorf("updating %s: %w", eco, err))
		}
	}
	return errors.Join(errs...)
}

func validFolderName(eco string) error {
	if eco == "" || eco == "." || eco == ".." || strings.HasPrefix(eco, ".") || strings.ContainsAny(eco, "/\\\x00") {
		return fmt.Errorf("invalid ecosystem name %q", eco)
	}
	return nil
}

func updateEcosystem(ctx context.Context, dir, baseURL, eco string, client *http.Client, o dbOptions) error {
	if err := validFolderName(eco); err != nil {
		return err
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, "."+eco+".lock"))
	if err != nil {
		return fmt.Errorf("locking: %w", err)
	}
	defer unlock()
	removeStale(dir, eco)

	tmp, err := os.MkdirTemp(dir, ".update-"+eco+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	src := baseURL + "/" + url.PathEscape(eco) + "/" + zipFileName
	zipPath := filepath.Join(tmp, zipFileName)
	sum, size, err := download(ctx, client, src, zipPath, o.limits.MaxDownload, o.idle)
	if err != nil {
		return err
	}

	zf, err := regfile.Open(zipPath)
	if err != nil {
		return err
	}
	idx, err := os.Create(filepath.Join(tmp, indexFileName))
	if err != nil {
		zf.Close()
		return err
	}
	res, err := buildIndex(ctx, zf, size, src, sum, eco, o.limits, idx, tmp)
	zf.Close() // before the folder is renamed: Windows refuses to move open files
	if err == nil && res.Keys == 0 {
		err = fmt.Errorf("%s: none of its %d records names a %s package", src, res.Records, eco)
	}
	if err == nil && !o.allowShrink {
		err = checkShrink(dir, eco, src, res.Records)
	}
	if err == nil {
		err = idx.Sync()
	}
	if cerr := idx.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	meta := dbMeta{
		Ecosystem: eco, WrittenAt: time.Now().UTC(), Source: src,
		ZipSHA256: hex.EncodeToString(sum[:]), ZipSize: size,
		Records: res.Records, Withdrawn: res.Withdrawn,
	}
	if err := writeFileSync(filepath.Join(tmp, metaFileName), meta); err != nil {
		return err
	}
	syncDir(tmp)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := replaceDir(tmp, filepath.Join(dir, eco), dir, eco); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// httpsOnly is client with redirects to anything but https refused.
func httpsOnly(client *http.Client) *http.Client {
	c := *client
	next := client.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != "https" {
			return fmt.Errorf("redirected to %s: the offline DB is only downloaded over https", req.URL.Redacted())
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &c
}

// checkShrink refuses an export with fewer than half the records of the
// ecosystem's current folder (its meta.json; a folder without one is not
// compared). The caller holds the ecosystem's lock.
func checkShrink(dir, eco, src string, records int) error {
	root, err := os.OpenRoot(filepath.Join(dir, eco))
	if err != nil {
		return nil // no current folder: nothing to shrink
	}
	defer root.Close()
	m, err := readMeta(root)
	if err != nil || m.Records <= 0 {
		return nil
	}
	if records*2 < m.Records {
		return fmt.Errorf("%s has %d records, the DB has %d for %s now: an update that removes more than half of an ecosystem's records is refused (a truncated or substituted export?); pass --force to accept it", src, records, m.Records, eco)
	}
	return nil
}

// removeStale removes what crashed updates of eco left behind. The caller
// holds eco's lock, so no live update owns them.
func removeStale(dir, eco string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, ".update-"+eco+"-") || strings.HasPrefix(n, ".old-"+eco+"-") {
			os.RemoveAll(filepath.Join(dir, n))
		}
	}
}

// download fetches src into path, capped at max bytes, and returns the
// file's SHA-256 and size. It follows verify/httpretry's policy (the one
// of every HTTP source): 429, 5xx and dropped connections are retried, and
// a server that sends nothing for the idle deadline fails at once.
func download(ctx context.Context, client *http.Client, src, path string, max int64, idle time.Duration) (sum [32]byte, size int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return sum, 0, err
	}
	defer f.Close()
	h := sha256.New()
	p := httpretry.Policy{Attempts: 3, Idle: idle}
	err = p.Fetch(ctx, client, httpretry.Request{URL: src, Header: http.Header{"User-Agent": {userAgent}}, MaxBody: max},
		func(resp *http.Response, body io.Reader) error {
			// Each attempt starts over.
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return httpretry.Permanent(err)
			}
			if err := f.Truncate(0); err != nil {
				return httpretry.Permanent(err)
			}
			h.Reset()
			n, err := io.Copy(io.MultiWriter(permanentWriter{f}, h), io.LimitReader(body, max+1))
			if err != nil {
				return err
			}
			if n > max {
				return fmt.Errorf("%w: more than the limit of %d bytes", httpretry.ErrTooLarge, max)
			}
			if resp.ContentLength >= 0 && n != resp.ContentLength {
				return fmt.Errorf("got %d of %d bytes (truncated)", n, resp.ContentLength)
			}
			size = n
			return nil
		})
	if err != nil {
		return sum, 0, fmt.Errorf("downloading %s: %w", src, err)
	}
	if err := f.Sync(); err != nil {
		return sum, 0, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, size, f.Close()
}

// permanentWriter marks write errors (a full disk) as not worth a retry.
type permanentWriter struct{ w io.Writer }

func (p permanentWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if err != nil {
		err = httpretry.Permanent(err)
	}
	return n, err
}

func writeFileSync(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every OS can sync a directory
		d.Close()
	}
}

// replaceDir puts the folder newDir at target. After an exchange, newDir
// holds the old folder (the caller removes it).
func replaceDir(newDir, target, dir, eco string) error {
	if _, err := os.Lstat(target); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(newDir, target)
	}
	if err := exchangeDirs(newDir, target); err == nil {
		return nil
	}
	// Fallback: move the old folder aside, move the new one in, and put the
	// old one back if that fails.
	old, err := os.MkdirTemp(dir, ".old-"+eco+"-")
	if err != nil {
		return err
	}
	os.Remove(old) // only its unique name is needed
	if err := os.Rename(target, old); err != nil {
		return err
	}
	if err := os.Rename(newDir, target); err != nil {
		if rerr := os.Rename(old, target); rerr != nil {
			return fmt.Errorf("%w; restoring the old folder also failed: %v (it is at %s)", err, rerr, old)
		}
		return err
	}
	os.RemoveAll(old)
	return nil
}
