package bundler

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The build cache is an index, like git's, from what a file's stat says
// (size, modification and change times in nanoseconds, inode) to what its
// bytes hash to: a file of a root that the build would copy unchanged (an
// image, a font: no reference of its own to rewrite, nothing to minify) and
// that its stat shows unchanged is not read at all. Its hashed name,
// integrity and size come from the index, and its bytes are read only if
// something needs them (the hashed file is missing from the output, a
// sibling must be compressed).
//
// The index is an optimisation only: every value in it is a function of a
// file's bytes alone, never of the config or of stapler's code beyond the
// hash functions, which cacheFormat names. An entry is trusted only when
// the file's stat equals it in every field and its modification time is
// more than racyWindow before the entry was recorded: a file changed in the
// same tick as its stat (git's "racily clean" case) is read again. Where the
// system reports no inode and change time, nothing is trusted. A file that
// is not an index of this format is ignored, with a warning, and replaced.
const (
	cacheFormat = "stapler build cache 1 sha256-12 sha384"
	racyWindow  = 2 * time.Second
)

// cacheStat is what the index compares: a file's stat.
type cacheStat struct {
	size, mtime, ctime int64
	ino                uint64
}

// cacheEntry is an index entry: a stat and what the bytes behind it hash
// to, and when the stat was taken.
type cacheEntry struct {
	cacheStat
	recorded  int64 // Unix nanoseconds
	hash      string
	integrity string
}

// trusted reports whether e says what a file of stat st holds, when
// changes within racy of a stat may not show.
func (e *cacheEntry) trusted(st cacheStat, racy time.Duration) bool {
	return e.cacheStat == st && st.ino != 0 && e.mtime < e.recorded-int64(racy)
}

// buildCache is the index a build reads and the one it writes, and the
// store of esbuild's results.
type buildCache struct {
	dir  string        // where it is kept
	file string        // the index, in dir
	racy time.Duration // racyWindow, or a test's

	old map[string]*cacheEntry // by absolute path, as read

	mu   sync.Mutex
	next map[string]*cacheEntry // what this build saw
	used map[string]bool        // the store's entries this build used
	made map[string]transformed // results this build made, stored by save

	// The store, as read: its pack's entries by key, sharing the pack's
	// bytes.
	store map[string]transformed
}

// cachePath returns the default place of an output directory's cache:
// beside it (build/.static.cache), out of the generations.
func cachePath(dir string) string { return besideOutput(dir, "cache") }

// loadCache reads the index in the cache directory dir. A missing index is
// an empty one; one that is not an index of this format, a warning (it is
// rebuilt).
func loadCache(dir string, racy time.Duration, diags *ErrorList) *buildCache {
	file := filepath.Join(dir, "index")
	c := &buildCache{dir: dir, file: file, racy: racy, old: map[string]*cacheEntry{}, next: map[string]*cacheEntry{}, used: map[string]bool{}, made: map[string]transformed{}}
	c.loadStore(diags)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return c
	}
	if err == nil {
		err = c.parse(data)
	}
	if err != nil {
		c.old = map[string]*cacheEntry{}
		d := diags.errorf(Position{File: file}, CodeCacheIgnored, err, "build cache ignored and rebuilt: %v", err)
		d.Severity = SeverityWarning
	}
	return c
}

func (c *buildCache) parse(data []byte) error {
	header, body, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(header) != cacheFormat {
		return errors.New("not a cache of this stapler's format")
	}
	for i, line := range bytes.Split(body, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		f := strings.SplitN(string(line), " ", 8)
		if len(f) != 8 {
			return fmt.Errorf("line %d: %d fields, want 8", i+2, len(f))
		}
		var e cacheEntry
		var errs [5]error
		e.size, errs[0] = strconv.ParseInt(f[0], 10, 64)
		e.mtime, errs[1] = strconv.ParseInt(f[1], 10, 64)
		e.ctime, errs[2] = strconv.ParseInt(f[2], 10, 64)
		e.ino, errs[3] = strconv.ParseUint(f[3], 10, 64)
		e.recorded, errs[4] = strconv.ParseInt(f[4], 10, 64)
		if err := errors.Join(errs[:]...); err != nil {
			return fmt.Errorf("line %d: %v", i+2, err)
		}
		e.hash, e.integrity = f[5], f[6]
		if len(e.hash) != 12 || !strings.HasPrefix(e.integrity, "sha384-") || !filepath.IsAbs(f[7]) {
			return fmt.Errorf("line %d: not an entry", i+2)
		}
		c.old[f[7]] = &e
	}
	return nil
}

// lookup returns the entry for the file at abs if its stat, st, shows it
// unchanged since the entry was recorded, and keeps it for the next index.
// (An entry not trusted is recorded anew when the file is read.)
func (c *buildCache) lookup(abs string, st cacheStat) *cacheEntry {
	e := c.old[abs]
	if e == nil || !e.trusted(st, c.racy) {
		return nil
	}
	c.mu.Lock()
	c.next[abs] = e
	c.mu.Unlock()
	return e
}

// record adds what a file read at recorded with stat st hashes to.
func (c *buildCache) record(abs string, st cacheStat, recorded time.Time, hash, integrity string) {
	if st.ino == 0 || strings.ContainsAny(abs, "\n") {
		return
	}
	c.mu.Lock()
	c.next[abs] = &cacheEntry{cacheStat: st, recorded: recorded.UnixNano(), hash: hash, integrity: integrity}
	c.mu.Unlock()
}

// save writes the next index atomically: a temporary file renamed over
// the old one, and the results this build made into the store. What was
// not seen by this build is dropped, from the index and from the store.
// Only a build that succeeded saves: a failed one, or check, writes
// nothing.
func (c *buildCache) save() error {
	names := make([]string, 0, len(c.next))
	for name := range c.next {
		// A line cannot hold a newline: such a file is read every time,
		// rather than the index made unreadable.
		if !strings.Contains(name, "\n") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	// Appended, not printed: fmt.Fprintf took 4 ms a save for the
	// 4,000-file site's index.
	b := make([]byte, 0, 256*len(names)+len(cacheFormat)+1)
	b = append(b, cacheFormat...)
	b = append(b, '\n')
	for _, name := range names {
		e := c.next[name]
		for _, n := range []int64{e.size, e.mtime, e.ctime} {
			b = strconv.AppendInt(b, n, 10)
			b = append(b, ' ')
		}
		b = strconv.AppendUint(b, e.ino, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.recorded, 10)
		for _, s := range []string{e.hash, e.integrity, name} {
			b = append(b, ' ')
			b = append(b, s...)
		}
		b = append(b, '\n')
	}
	if st, err := os.Lstat(c.dir); err == nil && !st.IsDir() {
		os.Remove(c.dir) // not a cache stapler made: warned of, replaced
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(c.file), ".stapler-"+rand.Text()+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, c.file); err != nil {
		os.Remove(tmp)
		return err
	}
	return c.saveStore()
}

// copiedAsIs reports whether a build writes a root's file as it is,
// whatever it holds: no reference of its own is rewritten (only
// stylesheets and scripts are scanned for references) and [collect]
// minify does not change it. A map file that a minified file remakes is
// decided later (see needsBytes).
func (p *Project) copiedAsIs(name string) bool {
	switch path.Ext(name) {
	case ".css", ".js", ".mjs":
		return false
	case ".svg", ".json":
		return p.cfg.Collect == nil || !p.cfg.Collect.Minify
	}
	return true
}

// absPath returns the absolute path of a root's file on disk, and false
// for a project in an fs.FS.
func (p *Project) absPath(src *source) (string, bool) {
	if !p.disk {
		return "", false
	}
	// Not filepath.Abs per file: it asks for the working directory, two
	// stats each time.
	dir := p.rootAbs[src.file.Root]
	return filepath.Join(dir, filepath.FromSlash(src.file.Path)), filepath.IsAbs(dir)
}

// The store keeps what esbuild made of a stylesheet or script (its output
// and source map) when it found no problem, by a key over the step, its
// input and the stapler that made it (cacheVersion): a rebuild whose
// bundle sources did not change does not minify them again. A result with
// problems is never stored: its positions and wording are stapler's code,
// and a problem must be reported by the build that meets it.

// transformed is what an esbuild transform made.
type transformed struct {
	out, m []byte
	diags  ErrorList
}

const storeMagic = "stapler transforms pack 1\n"

// cachedTransform returns f's result for the step kind over data: from
// Watch's memo, from the cache's store, or made by f and kept in both.
func (p *Project) cachedTransform(kind string, data []byte, f func() transformed) transformed {
	return memoDo(p.opts.memo, kind, data, func() transformed {
		c := p.cache
		if c == nil {
			return f()
		}
		key := storeKey(kind, data)
		if r, ok := c.getTransform(key); ok {
			return r
		}
		r := f()
		if len(r.diags) == 0 {
			c.mu.Lock()
			c.made[key] = r
			c.mu.Unlock()
		}
		return r
	})
}

// storeKey is the store's name for a step over data.
func storeKey(kind string, data []byte) string {
	h := sha256.New()
	h.Write([]byte(cacheVersion()))
	h.Write([]byte{0})
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// The store is one file, its pack: storeMagic, then for each entry, in
// key order, the key's 32 bytes, the output, a byte that says whether a
// map follows, and the map, each length-prefixed (cutChunk). A build reads
// it whole, once (one file where an entry per file cost a rebuild an open
// and a read per stylesheet and script), and a build that made or left
// out an entry writes the next one, beside it and renamed over it.
func (c *buildCache) storePath() string { return filepath.Join(c.dir, "transforms.pack") }

// loadStore reads the pack. A missing pack is an empty store; one that is
// not a pack of this format, or is cut short, a warning: it is ignored
// whole and rebuilt.
func (c *buildCache) loadStore(diags *ErrorList) {
	c.store = map[string]transformed{}
	data, err := os.ReadFile(c.storePath())
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil {
		err = c.parseStore(data)
	}
	if err != nil {
		c.store = map[string]transformed{}
		d := diags.errorf(Position{File: c.storePath()}, CodeCacheIgnored, err, "build cache's store ignored and rebuilt: %v", err)
		d.Severity = SeverityWarning
	}
}

func (c *buildCache) parseStore(data []byte) error {
	rest, ok := bytes.CutPrefix(data, []byte(storeMagic))
	if !ok {
		return errors.New("not a store of this stapler's format")
	}
	for len(rest) > 0 {
		if len(rest) < sha256.Size {
			return errors.New("cut short")
		}
		key := hex.EncodeToString(rest[:sha256.Size])
		rest = rest[sha256.Size:]
		var r transformed
		r.out, rest, ok = cutChunk(rest)
		if !ok || len(rest) == 0 {
			return errors.New("cut short")
		}
		hasMap := rest[0] == 1
		r.m, rest, ok = cutChunk(rest[1:])
		if !ok {
			return errors.New("cut short")
		}
		if !hasMap {
			r.m = nil
		}
		c.store[key] = r
	}
	return nil
}

func (c *buildCache) getTransform(key string) (transformed, bool) {
	r, ok := c.store[key]
	if ok {
		c.mu.Lock()
		c.used[key] = true
		c.mu.Unlock()
	}
	return r, ok
}

// saveStore writes the next pack: the entries this build used or made,
// so that what no build uses any more goes. When that is the pack as read,
// nothing is written. It also removes the directory of entries that
// staplers before the pack kept.
func (c *buildCache) saveStore() error {
	os.RemoveAll(filepath.Join(c.dir, "transforms"))
	if len(c.made) == 0 && len(c.used) == len(c.store) {
		return nil
	}
	keys := make([]string, 0, len(c.used)+len(c.made))
	for key := range c.used {
		keys = append(keys, key)
	}
	for key := range c.made {
		if !c.used[key] {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	b := []byte(storeMagic)
	for _, key := range keys {
		r, ok := c.made[key]
		if !ok {
			r = c.store[key]
		}
		raw, err := hex.DecodeString(key)
		if err != nil || len(raw) != sha256.Size {
			continue
		}
		b = append(b, raw...)
		b = binary.BigEndian.AppendUint64(b, uint64(len(r.out)))
		b = append(b, r.out...)
		hasMap := byte(0)
		if r.m != nil {
			hasMap = 1
		}
		b = append(b, hasMap)
		b = binary.BigEndian.AppendUint64(b, uint64(len(r.m)))
		b = append(b, r.m...)
	}
	tmp := filepath.Join(c.dir, ".stapler-"+rand.Text()+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, c.storePath()); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// cutChunk cuts a length-prefixed chunk off b.
func cutChunk(b []byte) (chunk, rest []byte, ok bool) {
	if len(b) < 8 {
		return nil, nil, false
	}
	n := binary.BigEndian.Uint64(b)
	if n > uint64(len(b)-8) {
		return nil, nil, false
	}
	return b[8 : 8+n], b[8+n:], true
}

// cacheVersion names the stapler that made the store's results: its
// module version and VCS revision, or, for a build from a modified tree
// or without VCS information (a test binary), the hash of its executable.
var cacheVersion = sync.OnceValue(func() string {
	v := cacheFormat
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v + " " + executableHash()
	}
	rev, modified := "", true
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	for _, d := range info.Deps {
		v += " " + d.Path + "@" + d.Version
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		return v + " " + info.Main.Version
	}
	if rev == "" || modified {
		return v + " " + executableHash()
	}
	return v + " " + rev
})

// executableHash names the running executable by its content: Go's
// build ID, which the linker writes into an ELF binary's
// .note.go.buildid and whose last part hashes the linked bytes, or else
// the SHA-256 of the file (40 ms for stapler's 40 MB on every run, which
// the build ID saves).
func executableHash() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown " + rand.Text() // never matches: no result is reused
	}
	if id := elfBuildID(exe); id != "" {
		return "go-buildid " + id
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		return "unknown " + rand.Text()
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// elfBuildID returns the Go build ID of the ELF executable exe, or "".
// The note holds a 4-byte name size, a 4-byte ID size, a 4-byte type (4),
// the name "Go\x00\x00" and the ID.
func elfBuildID(exe string) string {
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	sec := f.Section(".note.go.buildid")
	if sec == nil {
		return ""
	}
	note, err := sec.Data()
	if err != nil || len(note) < 16 {
		return ""
	}
	nameSize, idSize, typ := f.ByteOrder.Uint32(note), f.ByteOrder.Uint32(note[4:]), f.ByteOrder.Uint32(note[8:])
	if nameSize != 4 || typ != 4 || string(note[12:16]) != "Go\x00\x00" || uint64(idSize) > uint64(len(note)-16) || idSize == 0 {
		return ""
	}
	return string(note[16 : 16+idSize])
}
