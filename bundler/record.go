package bundler

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/errgroup"
)

// The build record lets a rebuild in which nothing changed end after one
// stat of each file it depends on, as make and Bazel decide that a target
// is up to date, instead of walking, scanning and hashing the project
// again.
//
// A build traces every file system call it makes under the project: the
// roots' and the templates' directories are read through a tracedFS,
// which takes the stat of every file read or stat'ed and of every
// directory listed (a directory's modification time changes when an entry
// is added, removed or renamed in it), and the stat of each name looked
// up and not found. A build that succeeded without a warning then writes,
// beside the cache's index, the record: those facts; the stat of every
// file and directory of the output as the build left it, and where the
// output's link points; the result it returned; and a key over the
// config's bytes, the options and stapler's version. The next build with
// the same key takes the stat of each recorded path again, in parallel,
// and when every one is equal returns the recorded result, having written
// nothing, as the full build would have.
//
// The record is trusted only as the index is (see cacheFormat): a fact
// whose modification or change time is within racyWindow of the build's
// start could hide a change made in the same tick, so such a build writes
// no record. A build that meets what it cannot trace writes none either:
// an entry bundle, whose imports esbuild resolves in node_modules by
// itself. (A root given as a glob is traced: rootDirs lists and stats
// through a tracedFS.) A full build removes the record
// before it writes, so that a failed build leaves none.
//
// After the format and key, the record gives the length of its facts, so
// that the rest (the result) is read at the same time (see recorded).
const recordFormat = "stapler build record 6"

// The file-type bits of st_mode, and a regular file's, a directory's and a
// symbolic link's, as POSIX has them.
const (
	syscallIFMT  = 0o170000
	syscallIFREG = 0o100000
	syscallIFDIR = 0o040000
	syscallIFLNK = 0o120000
)

// The kinds of a fact.
const (
	factStat   = 's' // os.Stat: links followed
	factLstat  = 'l' // os.Lstat: a link itself
	factAbsent = 'a' // os.Stat says it does not exist
)

// fact is a path's stat as a build saw it.
type fact struct {
	Path  string
	Kind  byte
	Mode  uint32 // the system's st_mode
	Size  int64
	Mtime int64
	Ctime int64
	Ino   uint64
	// For a fact within the racy window, which its stat cannot vouch for:
	// what the file's bytes (sumFile) or the directory's entries
	// (sumDir) hash to, checked again with the stat.
	Sum     byte
	Content [sha256.Size]byte
}

// The kinds of a fact's Content.
const (
	sumFile = 'f'
	sumDir  = 'd'
)

// sameStat reports whether two facts say the same of a path's stat.
func (f fact) sameStat(g fact) bool {
	f.Sum, f.Content, g.Sum, g.Content = 0, [sha256.Size]byte{}, 0, [sha256.Size]byte{}
	return f == g
}

// factOf makes the fact of kind for path from a stat's result; ok is
// false for what a record cannot hold: an error other than "not found",
// or a system without inodes and change times.
func factOf(path string, kind byte, fi fs.FileInfo, err error) (fact, bool) {
	if err != nil {
		if kind == factStat && errors.Is(err, fs.ErrNotExist) {
			return fact{Path: path, Kind: factAbsent}, true
		}
		return fact{}, false
	}
	st := statOf(fi)
	if st.ino == 0 {
		return fact{}, false
	}
	return fact{Path: path, Kind: kind, Mode: rawModeOf(fi), Size: st.size, Mtime: st.mtime, Ctime: st.ctime, Ino: st.ino}, true
}

// recorder gathers the facts of a build.
type recorder struct {
	start time.Time
	limit int64 // a path modified since is racy: see racy

	mu     sync.Mutex
	facts  map[string]fact // by kind and path
	broken string          // why no record can be written, if not ""
	// What each directory listed held, by path (dirSum): a patch build
	// tells by it whether a directory whose stat changed still has the
	// same entries (a file replaced by a rename, as editors save).
	listings map[string][sha256.Size]byte
}

func newRecorder(window time.Duration) *recorder {
	now := time.Now()
	return &recorder{start: now, limit: now.Add(-window).UnixNano(), facts: map[string]fact{}, listings: map[string][sha256.Size]byte{}}
}

// racy reports whether f's path was modified so recently that a change in
// the same tick would not show in its stat: its content must be checked
// too. As for the index's entries (see cacheFormat), the modification time
// decides: a later change moves it, and one that puts it back moves the
// change time, which the fact holds too.
func (r *recorder) racy(f fact) bool {
	return f.Kind != factAbsent && f.Mtime >= r.limit
}

// aged reports whether f has a sum it no longer needs: its path was
// modified longer ago than the racy window, and its stat vouches for it
// as it would in a record written now (see unracy).
func (r *recorder) aged(f fact) bool {
	return f.Sum != 0 && !r.racy(f)
}

// giveUp notes that this build cannot be recorded, and why.
func (r *recorder) giveUp(why string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.broken == "" {
		r.broken = why
	}
	r.mu.Unlock()
}

// note adds the fact of path, of kind factStat or factLstat, from the
// result of a stat. A path seen twice must have been seen the same.
func (r *recorder) note(path string, kind byte, fi fs.FileInfo, err error) {
	if r == nil {
		return
	}
	f, ok := factOf(path, kind, fi, err)
	if !ok {
		r.giveUp("cannot record " + path)
		return
	}
	if f.Kind == factAbsent {
		// Keyed as a stat: the same path stat'ed later must agree.
		r.addKeyed(string(factStat)+path, f)
		return
	}
	r.add(f)
}

// add adds a fact taken by the caller; see note.
func (r *recorder) add(f fact) {
	if r == nil {
		return
	}
	if f.Ino == 0 {
		r.giveUp("cannot record " + f.Path)
		return
	}
	r.addKeyed(string(f.Kind)+f.Path, f)
}

func (r *recorder) addKeyed(key string, f fact) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.facts[key]; ok {
		if !old.sameStat(f) || old.Sum != 0 && f.Sum != 0 && old != f {
			if r.broken == "" {
				r.broken = f.Path + " changed during the build"
			}
			return
		}
		if old.Sum != 0 {
			return // the one with the content's sum stays
		}
	}
	r.facts[key] = f
}

// stat notes path's stat, taken now.
func (r *recorder) stat(path string) {
	if r == nil {
		return
	}
	fi, err := os.Stat(path)
	r.note(path, factStat, fi, err)
}

// tracedFS is an os.DirFS of dir whose every call notes what it met in
// the recorder.
type tracedFS struct {
	fsys fs.FS // os.DirFS(dir)
	dir  string
	r    *recorder
}

// traced returns os.DirFS(dir), traced when the project records its
// build.
func (p *Project) traced(dir string) fs.FS {
	fsys := os.DirFS(dir)
	if p.rec == nil {
		return fsys
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		p.rec.giveUp(err.Error())
		return fsys
	}
	return &tracedFS{fsys: fsys, dir: abs, r: p.rec}
}

func (t *tracedFS) path(name string) string {
	if name == "." {
		return t.dir
	}
	return filepath.Join(t.dir, filepath.FromSlash(name))
}

// seen notes name's stat after a call on it: the file's or directory's,
// or, when the call did not find it, its absence.
func (t *tracedFS) seen(name string, err error) {
	p := t.path(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.r.giveUp(err.Error())
		return
	}
	t.r.stat(p)
}

func (t *tracedFS) Open(name string) (fs.File, error) {
	f, err := t.fsys.Open(name)
	t.seen(name, err)
	return f, err
}

func (t *tracedFS) ReadFile(name string) ([]byte, error) {
	if data, err, ok := t.readFile(name); ok {
		return data, err
	}
	data, err := fs.ReadFile(t.fsys, name)
	if err != nil {
		t.seen(name, err)
		return data, err
	}
	if f, ok := t.statNow(name); ok {
		t.r.addRead(f, data)
	}
	return data, err
}

// statNow returns the fact of name, stat'ed now after a call that found
// it; ok is false, and the build is not to be recorded, if it cannot be
// taken.
func (t *tracedFS) statNow(name string) (fact, bool) {
	p := t.path(name)
	fi, err := os.Stat(p)
	f, ok := factOf(p, factStat, fi, err)
	if !ok {
		t.r.giveUp("cannot record " + p)
	}
	return f, ok
}

func (t *tracedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(t.fsys, name)
	if err != nil {
		t.seen(name, err)
		return entries, err
	}
	f, ok := t.statNow(name)
	if !ok {
		return entries, err
	}
	sum := dirSum(entries)
	if t.r.racy(f) {
		f.Sum, f.Content = sumDir, sum
	}
	t.r.add(f)
	t.r.mu.Lock()
	t.r.listings[f.Path] = sum
	t.r.mu.Unlock()
	return entries, err
}

// addRead adds the fact of a file read, with the sum of its bytes when it
// is racy.
func (r *recorder) addRead(f fact, data []byte) {
	if r.racy(f) {
		f.Sum, f.Content = sumFile, sha256.Sum256(data)
	}
	r.add(f)
}

// dirSum hashes a directory's entries: each name and type.
func dirSum(entries []fs.DirEntry) [sha256.Size]byte {
	h := sha256.New()
	for _, e := range entries {
		h.Write([]byte(e.Name()))
		h.Write([]byte{0})
		h.Write([]byte(strconv.FormatUint(uint64(e.Type()), 10)))
		h.Write([]byte{'\n'})
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// sumNow hashes what f's path holds now, as f's Sum says.
func (f fact) sumNow() ([sha256.Size]byte, bool) {
	switch f.Sum {
	case sumFile:
		data, err := os.ReadFile(f.Path)
		return sha256.Sum256(data), err == nil
	case sumDir:
		entries, err := os.ReadDir(f.Path)
		return dirSum(entries), err == nil
	}
	return [sha256.Size]byte{}, false
}

func (t *tracedFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := fs.Stat(t.fsys, name)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		t.r.note(t.path(name), factStat, fi, err)
	} else {
		t.r.giveUp(err.Error())
	}
	return fi, err
}

func (t *tracedFS) ReadLink(name string) (string, error) {
	target, err := fs.ReadLink(t.fsys, name)
	t.lseen(name, err)
	return target, err
}

func (t *tracedFS) Lstat(name string) (fs.FileInfo, error) {
	fi, err := fs.Lstat(t.fsys, name)
	t.lseen(name, err)
	return fi, err
}

func (t *tracedFS) lseen(name string, err error) {
	p := t.path(name)
	if err != nil {
		// A link that is gone: its directory's fact shows it.
		if !errors.Is(err, fs.ErrNotExist) {
			t.r.giveUp(err.Error())
		}
		return
	}
	fi, err := os.Lstat(p)
	t.r.note(p, factLstat, fi, err)
}

// buildRecord is what a build that may be skipped next time leaves.
type buildRecord struct {
	Key    [sha256.Size]byte
	Inputs []fact
	Link   string // where the output's link points; "" for a directory
	Output []fact // every file and directory of the output, Lstat'ed
	// The result: its outputs are the manifest's entries (see outputs).
	Manifest *manifest.Manifest
	Stats    Stats
	Unused   []Unused
	// The graph a patch build works from (see patch.go), encoded; "" when
	// the build cannot be patched. It is kept in a file of its own beside
	// the record (graphPath), read only by a patch build: the record holds
	// its SHA-256, GraphSum.
	Graph    string
	GraphSum [sha256.Size]byte
	// What the build changed in the generation it made, for the next
	// build's sync of its spare (see spareDelta); Spare is "" for none.
	Spare     string
	SpareDirs []fact
	Delta     []string

	outputs  []Output // read with Manifest: an outputOf each entry, by name
	hasGraph bool     // the record has a graph, whose sum GraphSum is
	// paths are Manifest's, taken before a patch build made the record's
	// manifest its result's: those of the manifest in place. nil until.
	paths map[string]string
}

// recordKey is the key a record must have to stand for this build: over
// what the build does besides reading its roots and templates.
func (p *Project) recordKey(config []byte) [sha256.Size]byte {
	h := sha256.New()
	out, _ := filepath.Abs(p.outputDir)
	for _, s := range []string{recordFormat, cacheVersion(), out, strconv.FormatBool(p.opts.Unused), strconv.FormatBool(p.opts.Strict), runtime.GOOS} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(config)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// recordPath is where the record of a build into outputDir is kept.
func recordPath(outputDir string) string { return filepath.Join(cachePath(outputDir), "record") }

// graphPath is where the graph of the record's build is kept.
func graphPath(outputDir string) string { return filepath.Join(cachePath(outputDir), "graph") }

// recorded returns the result of the build that the record in place
// stands for, when nothing it depends on changed since; nil otherwise.
func (p *Project) recorded() *Result {
	p.held, p.heldBy, p.patch, p.outputHeld = nil, nil, nil, false // this check's, if it finds the record changed
	if p.rec == nil || len(p.problems) > 0 {
		return nil
	}
	data, err := p.readString(recordPath(p.outputDir))
	if err != nil {
		return nil
	}
	// Each list of facts is stat'ed from the moment it is read, while the
	// rest is read: on the 4,000-file site, the inputs' stats start 3 ms
	// into reading 6 ms of facts.
	var rec buildRecord
	facts, rest, ok := (&recReader{s: data}).header(&rec)
	if !ok || rec.Key != p.recordKey(p.config) {
		return nil
	}
	checkAt := time.Now()
	check := newSameCheck()
	check.complete = true
	defer check.wait() // no stat outlives the check, whatever returns
	// The result is read while the facts are, and stat'ed: each is a
	// third of the check's time on the 4,000-file site.
	var read sync.WaitGroup
	read.Go(func() { ok = rest.result(&rec) })
	defer read.Wait()
	if !facts.facts(&rec, check.add) {
		check.fail()
		return nil
	}
	linkHolds := true
	if link, err := os.Readlink(p.outputDir); err != nil && rec.Link != "" || err == nil && link != rec.Link {
		check.fail()
		linkHolds = false
	}
	read.Wait()
	if !check.wait() || !ok {
		if ok {
			p.last = &rec
			p.outputHeld = linkHolds && !slices.Contains(check.held[1], false)
			if p.outputHeld && rec.hasGraph {
				p.patch = p.planPatch(&rec, rec.Inputs, check.held[0])
			}
		}
		p.heldBy, p.heldAt = check, checkAt
		return nil
	}
	p.unracy(&rec)
	res := &Result{Manifest: rec.Manifest, Stats: rec.Stats, Unused: rec.Unused, Outputs: rec.outputs}
	res.Stats.Cached = res.Stats.Sources
	res.Stats.Unchanged += res.Stats.Written
	res.Stats.Written, res.Stats.Compressed = 0, 0
	dir := p.outputDir
	for i := range res.Outputs {
		name := res.Outputs[i].Path
		res.Outputs[i].load = func() ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))) }
	}
	return res
}

// unracy writes the record again without the sums of its racy facts
// that are racy no more, when it has any: rec has just been found to hold,
// each of those by its stat and its sum, and a fact modified longer ago
// than the racy window stands by its stat, as it would in a record
// written now. Without this, a record written within the window of its
// files' last change (a build right after a checkout) had every later
// build read and hash each of those files again: on the 4,000-file site,
// 220 ms a build instead of 30, until something changed.
//
// Only when that costs less than the sums it spares: a few files saved
// just before a build (an edit) are cheaper to hash at each build than a
// record of 20,000 files is to write again.
func (p *Project) unracy(rec *buildRecord) {
	var aged []*fact
	for _, facts := range [][]fact{rec.Inputs, rec.Output} {
		for i := range facts {
			if f := &facts[i]; p.rec.aged(*f) {
				aged = append(aged, f)
			}
		}
	}
	if !worthWriting(aged, len(rec.Inputs)+len(rec.Output)) {
		return
	}
	for _, f := range aged {
		f.Sum, f.Content = 0, [sha256.Size]byte{}
	}
	writeRecord(recordPath(p.outputDir), rec)
}

// worthWriting reports whether writing a record of n facts again costs
// less than checking the sums of aged at every build. The costs, measured
// on the 4,000-file site: a sum, a read of its path (20 µs) and a hash of
// its bytes (1 GB/s); a record, 2 µs a fact to encode and write.
func worthWriting(aged []*fact, n int) bool {
	var sums float64 // µs
	for _, f := range aged {
		sums += 20
		if f.Sum == sumFile {
			sums += float64(f.Size) / 1e3
		}
	}
	return sums > 2*float64(n)
}

// writeRecord writes rec to file, under a temporary name renamed over
// it; a record that cannot be written is left as it was, or none.
func writeRecord(file string, rec *buildRecord) {
	replaceFile(file, rec.parts()...)
}

// replaceFile writes the parts, one after another, to file, under a
// temporary name renamed over it, and reports whether it did. Written as
// they are, not joined first: a record's parts are 1 MB on the
// 4,000-file site, and a copy into fresh memory costs 4 ms a MB to
// fault in.
func replaceFile(file string, parts ...[]byte) bool {
	if os.MkdirAll(filepath.Dir(file), 0o755) != nil {
		return false
	}
	tmp := filepath.Join(filepath.Dir(file), ".stapler-"+rand.Text()+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return false
	}
	if err = cmp.Or(writePieces(f, parts), f.Close()); err != nil || os.Rename(tmp, file) != nil {
		os.Remove(tmp)
		return false
	}
	return true
}

// writePieces writes the pieces to w, one after another.
func writePieces(w io.Writer, pieces [][]byte) error {
	for _, b := range pieces {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// readString returns the bytes of the file name as a string: with
// Options.MapFiles, mapped into memory and never unmapped; otherwise as
// the function readString does.
func (p *Project) readString(name string) (string, error) {
	if !p.opts.MapFiles {
		return readString(name)
	}
	b, _, err := readMapped(name) // never unmapped: see Options.MapFiles
	return bytesString(b), err
}

// readString returns the bytes of the file name as a string, read into it
// without the copy a conversion from []byte makes.
func readString(name string) (string, error) {
	b, err := os.ReadFile(name) // in one read, into a buffer of its size
	if err != nil || len(b) == 0 {
		return "", err
	}
	return bytesString(b), nil // b is not used after
}

// bytesString returns b's bytes as a string, without a copy: b must not
// change while the string is in use.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// stringBytes returns s's bytes, without a copy, for a reader that does
// not change or keep them (a hash).
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// prevPaths returns the paths of the manifest in place, whose bytes are
// data: those of the previous build's record when the file is as that
// build left it (its fact holds, as for a rebuild with nothing changed),
// sparing a parse (25 ms for the 4,000-file site's); otherwise parsed,
// nil when data is not a manifest. fromRecord says which.
func (p *Project) prevPaths(data []byte) (paths map[string]string, fromRecord bool) {
	if rec := p.last; rec != nil && rec.Manifest != nil {
		// Found by its inode: the record names the output's files by
		// absolute path, and a file with several names under one.
		name := filepath.Join(p.outputDir, manifest.FileName)
		fi, err := os.Lstat(name)
		if now, ok := factOf(name, factLstat, fi, err); ok && now.Size == int64(len(data)) {
			for _, f := range rec.Output {
				if f.Kind == factLstat && f.Ino == now.Ino {
					f.Path = name
					if !allSame([]fact{f}) {
						break
					}
					if rec.paths == nil {
						rec.paths = rec.Manifest.Paths()
					}
					return rec.paths, true
				}
			}
		}
	}
	if m, err := manifest.Parse(data); err == nil {
		return m.Paths(), false
	}
	return nil, false
}

// outputFactsWalk returns the facts of the output out and of every
// directory and file in it, each Lstat'ed: one fact of a file with
// several names, under the first the walk meets.
func outputFactsWalk(out string) ([]fact, error) {
	var facts []fact
	seen := map[uint64]bool{}
	// "out/." for the walk to enter the generation out links to.
	top := out + string(filepath.Separator) + "."
	err := filepath.WalkDir(top, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var fi fs.FileInfo
		kind := byte(factLstat)
		if name == top {
			name, kind = out, factStat // through its link, to the generation
			fi, err = os.Stat(name)
		} else {
			fi, err = d.Info()
		}
		f, ok := factOf(name, kind, fi, err)
		if !ok {
			return errors.New("cannot record " + name)
		}
		// A plain copy is a hard link of its hashed file: one stat of
		// the file shows an edit of either; a name replaced shows in
		// its directory's fact.
		if f.Mode&syscallIFMT == syscallIFREG {
			if seen[f.Ino] {
				return nil
			}
			seen[f.Ino] = true
		}
		facts = append(facts, f)
		return nil
	})
	return facts, err
}

// allSame reports whether every fact of the lists still holds, stat'ing
// them in parallel.
func allSame(lists ...[]fact) bool {
	c := newSameCheck()
	for _, facts := range lists {
		c.add(facts)
	}
	return c.wait()
}

// sameCheck stats lists of facts in parallel, in parts, from the moment
// each is added (a record's inputs are stat'ed while the rest of it is
// read), and stops at the first that differs: a build with one file
// changed must not stat every other first.
type sameCheck struct {
	g       errgroup.Group
	adding  sync.WaitGroup
	differs atomic.Bool

	// complete has every fact stat'ed, past the first that differs: a
	// patch build needs to know each change, the writer each output that
	// holds.
	complete bool

	mu    sync.Mutex
	lists [][]fact
	held  [][]bool // for each list, the facts found to hold

	wait func() bool // see finish; once, whoever asks
}

func newSameCheck() *sameCheck {
	c := &sameCheck{}
	c.g.SetLimit(runtime.GOMAXPROCS(0) * 2)
	c.wait = sync.OnceValue(c.finish)
	return c
}

// add starts the stats of facts, without waiting for them.
func (c *sameCheck) add(facts []fact) {
	held := make([]bool, len(facts))
	c.mu.Lock()
	c.lists = append(c.lists, facts)
	c.held = append(c.held, held)
	c.mu.Unlock()
	const part = 256
	c.adding.Go(func() {
		for i := 0; i < len(facts) && (c.complete || !c.differs.Load()); i += part {
			c.g.Go(func() error {
				end := min(i+part, len(facts))
				if (c.complete || !c.differs.Load()) && !sameFacts(facts[i:end], held[i:end], c.complete) {
					c.differs.Store(true)
				}
				return nil
			})
		}
	})
}

// holding returns the facts of the files of the lists found to hold, by
// path: what a stat of each would say now. A build that goes the whole
// way takes its probe's stats from these (see sourceSet.probe) rather
// than stat the same files again: how many depends on where the change
// lies in the sorted facts (786 fewer fstatat calls in one rebuild of the
// 4,000-file site after a bundle's source changed, 205 after an image).
// Call it after wait.
func (c *sameCheck) holding() map[string]fact {
	out := map[string]fact{}
	for i, facts := range c.lists {
		for j, f := range facts {
			if c.held[i][j] && f.Kind == factStat && f.Mode&syscallIFMT == syscallIFREG {
				// The stat alone, as the probe's own would be: a sum
				// is checked only once every stat holds.
				f.Sum, f.Content = 0, [sha256.Size]byte{}
				out[f.Path] = f
			}
		}
	}
	return out
}

// fail notes a difference found otherwise: the stats still running stop.
func (c *sameCheck) fail() { c.differs.Store(true) }

// finish waits for the stats, and reports whether every fact added
// holds: its stat, and for a racy one, the sum of what its path holds
// now. Nothing may be added after.
func (c *sameCheck) finish() bool {
	c.adding.Wait()
	c.g.Wait()
	if c.differs.Load() {
		return false
	}
	for _, facts := range c.lists {
		for _, f := range facts {
			if f.Sum != 0 {
				if sum, ok := f.sumNow(); !ok || sum != f.Content {
					return false
				}
			}
		}
	}
	return true
}

// saveRecord writes the record of a build that returned res, when it can
// stand for the next build; otherwise it leaves none.
func (p *Project) saveRecord(res *Result) {
	r := p.rec
	if r == nil {
		return
	}
	file := recordPath(p.outputDir)
	if r.broken != "" || len(res.Warnings) > 0 {
		return
	}
	rec := buildRecord{Key: p.recordKey(p.config), Manifest: res.Manifest, Stats: res.Stats, Unused: res.Unused, Graph: p.graphOut}
	if !recordable(res) {
		return // not a result the record can give back
	}
	rec.outputs = res.Outputs
	// The inputs' facts and the result are encoded while the output is
	// listed and stat'ed (on the 20,000-file site, 30 ms of 90).
	var inputs, result []byte
	var encoding sync.WaitGroup
	defer encoding.Wait()
	encoding.Go(func() {
		rec.Inputs = make([]fact, 0, len(r.facts))
		for _, f := range r.facts {
			rec.Inputs = append(rec.Inputs, f)
		}
		slices.SortFunc(rec.Inputs, compareFacts)
		if p.patchFacts != nil {
			// A patch build's: the last record's that held, and what it read.
			rec.Inputs = mergeFacts(p.patchFacts, rec.Inputs)
		}
		for _, f := range rec.Inputs {
			if r.racy(f) && f.Sum == 0 {
				return // changed too recently to be sure of, and no content to check
			}
		}
		if len(rec.Inputs) > 0 { // else no build read anything: none that a record can stand for
			inputs, result = encodeFacts(rec.Inputs), rec.encodeResult()
		}
	})
	if link, err := os.Readlink(p.outputDir); err == nil {
		rec.Link = link
	}
	out, err := filepath.Abs(p.outputDir)
	if err != nil {
		return
	}
	if rec.Output, err = p.outputFactsOf(out); err != nil {
		return
	}
	slices.SortFunc(rec.Output, func(a, b fact) int { return strings.Compare(a.Path, b.Path) })
	if d := p.genDelta; d != nil && d.spare != "" && rec.Link != "" {
		rec.Spare, rec.Delta, rec.SpareDirs = d.spare, d.names, spareDirs(out, rec.Output, d)
		if rec.SpareDirs == nil {
			rec.Spare, rec.Delta = "", nil
		}
	}
	output := encodeFacts(rec.Output)
	if encoding.Wait(); inputs == nil {
		return
	}
	switch {
	case rec.Graph != "" && p.patchedGraph != [sha256.Size]byte{}:
		// The graph in place, as a patch build found it (a hash of
		// 1.9 MB on the 20,000-file site).
		rec.GraphSum, rec.hasGraph = p.patchedGraph, true
	case rec.Graph != "":
		// The graph first: a record names the graph it was written with.
		rec.GraphSum = sha256.Sum256(stringBytes(rec.Graph))
		rec.hasGraph = replaceFile(graphPath(p.outputDir), stringBytes(rec.Graph))
	}
	replaceFile(file, rec.assemble(inputs, output, result)...)
}

// outputFactsOf returns the facts of the output out for the record: from
// the last record's and what the write changed, where it made its
// generation from the last build's delta (see outputFactsFrom); else
// from a listing of every directory.
func (p *Project) outputFactsOf(out string) ([]fact, error) {
	if p.deltaSynced && p.last != nil && p.genDelta != nil {
		if facts, ok := outputFactsFrom(out, p.last.Output, p.genDelta.names, p.outStats); ok {
			if p.opts.checkFacts {
				listed, err := outputFacts(out, p.outStats)
				p.factsDiffer = factsDiffer(facts, listed, err)
			}
			return facts, nil
		}
	}
	return outputFacts(out, p.outStats)
}

// factsDiffer says how two lists of an output's facts differ in what they
// hold the output to, "" when they do not: the same directories and other
// entries by path, and the same stats of the same inodes, each under one
// of its names (which one a listing meets first depends on the order of
// the directory's entries).
func factsDiffer(a, b []fact, err error) string {
	if err != nil {
		return err.Error()
	}
	summary := func(facts []fact) []string {
		var out []string
		for _, f := range facts {
			if f.Mode&syscallIFMT == syscallIFREG {
				out = append(out, fmt.Sprintf("file ino %d size %d mtime %d ctime %d", f.Ino, f.Size, f.Mtime, f.Ctime))
				var st fact
				if fi, err := os.Lstat(f.Path); err != nil {
					out = append(out, "no "+f.Path)
				} else if st, _ = factOf(f.Path, factLstat, fi, nil); st.Ino != f.Ino {
					out = append(out, fmt.Sprintf("%s is inode %d, not %d", f.Path, st.Ino, f.Ino))
				}
				continue
			}
			out = append(out, fmt.Sprintf("%s %c mode %o ino %d size %d mtime %d ctime %d", f.Path, f.Kind, f.Mode, f.Ino, f.Size, f.Mtime, f.Ctime))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if x, y := summary(a), summary(b); !slices.Equal(x, y) {
		return fmt.Sprintf("the first:\n%s\nthe second:\n%s", strings.Join(x, "\n"), strings.Join(y, "\n"))
	}
	return ""
}

// spareDirs returns the stats of the directories of the spare generation
// that d names, as the record's next build is to find them: those of the
// output out (whose facts are outFacts), less those the build made; nil
// when one cannot be taken.
func spareDirs(out string, outFacts []fact, d *spareDelta) []fact {
	spare := filepath.Join(filepath.Dir(out), d.spare)
	var facts []fact
	for _, f := range outFacts {
		if f.Mode&syscallIFMT != syscallIFDIR {
			continue
		}
		rel, err := filepath.Rel(out, f.Path)
		if err != nil {
			return nil
		}
		if slices.Contains(d.names, filepath.ToSlash(rel)+"/") {
			continue // made by the build: not in the spare
		}
		p := filepath.Join(spare, rel)
		fi, err := os.Lstat(p)
		g, ok := factOf(p, factLstat, fi, err)
		if !ok || g.Mode&syscallIFMT != syscallIFDIR {
			return nil
		}
		facts = append(facts, g)
	}
	return facts
}

// compareFacts orders facts by path, and a path's by kind (an absent
// path's as a stat's, as the recorder keys them).
func compareFacts(a, b fact) int {
	return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.key(), b.key()))
}

// key is the kind the recorder keys f by.
func (f fact) key() byte {
	if f.Kind == factAbsent {
		return factStat
	}
	return f.Kind
}

// mergeFacts merges two lists sorted by compareFacts into one, taking
// b's fact where both have one of a path and kind.
func mergeFacts(a, b []fact) []fact {
	out := make([]fact, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := compareFacts(a[0], b[0]); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, b[0]), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// dropRecord removes the record of the last build into outputDir: a build
// that will write is about to make it stale.
func dropRecord(outputDir string) {
	os.Remove(recordPath(outputDir))
}

// recordable reports whether res.Outputs are what the record gives back
// for res.Manifest: an output for each entry (outputOf), sorted by name.
func recordable(res *Result) bool {
	m := res.Manifest
	if len(m.Files) != len(res.Outputs) {
		return false
	}
	for i, o := range res.Outputs {
		e, ok := m.Files[o.Name]
		if !ok || i > 0 && res.Outputs[i-1].Name >= o.Name {
			return false
		}
		if !sameOutput(outputOf(o.Name, e), o) {
			return false
		}
	}
	return true
}

// outputOf returns the output a manifest entry stands for, without its
// bytes: what a build whose manifest holds it returned.
func outputOf(name string, e manifest.Entry) Output {
	return Output{
		Name: name, Path: e.Path, Bundle: e.Bundle, Sources: e.Sources,
		Imports: e.Imports, DynamicImports: e.DynamicImports, CSS: e.CSS, Assets: e.Assets,
		size: e.Size, integrity: e.Integrity,
	}
}

// sameOutput reports whether an output from the manifest, a, tells what b
// does, bytes aside.
func sameOutput(a, b Output) bool {
	return a.Name == b.Name && a.Path == b.Path && a.Bundle == b.Bundle && a.Size() == b.Size() &&
		slices.Equal(a.Sources, b.Sources) && slices.Equal(a.Imports, b.Imports) &&
		slices.Equal(a.DynamicImports, b.DynamicImports) && slices.Equal(a.CSS, b.CSS) && slices.Equal(a.Assets, b.Assets)
}

// The record's encoding is stapler's own, and plain: gob took half of a
// rebuild's 50 ms to decode one of the 4,000-file site. Paths, sorted,
// are written as the length of the prefix they share with the one before
// and the rest.

// encode returns the record as it is written.
func (rec *buildRecord) encode() []byte { return bytes.Join(rec.parts(), nil) }

// parts returns the parts of the record, encoded one after another
// (saveRecord encodes them at the same time).
func (rec *buildRecord) parts() [][]byte {
	return rec.assemble(encodeFacts(rec.Inputs), encodeFacts(rec.Output), rec.encodeResult())
}

// assemble returns, in the order they are written, the parts of the
// record whose facts of its inputs and output, and whose manifest, stats
// and unused files (see encodeResult), are encoded already.
func (rec *buildRecord) assemble(inputs, output, result []byte) [][]byte {
	var head, link recWriter
	head.str(recordFormat)
	head.b = append(head.b, rec.Key[:]...)
	link.str(rec.Link)
	head.uint(uint64(len(inputs) + len(link.b) + len(output)))
	w := recWriter{b: make([]byte, 0, 64+len(rec.Spare)+64*len(rec.SpareDirs))}
	if !rec.hasGraph {
		w.b = append(w.b, 0)
	} else {
		w.b = append(w.b, 1)
		w.b = append(w.b, rec.GraphSum[:]...)
	}
	w.str(rec.Spare)
	w.facts(rec.SpareDirs)
	w.strs(rec.Delta)
	return [][]byte{head.b, inputs, link.b, output, result, w.b}
}

// encodeFacts returns a list of facts encoded.
func encodeFacts(l []fact) []byte {
	// Room for what a fact of the 4,000-file site takes, so that the
	// buffer is not grown and copied ten times.
	w := recWriter{b: make([]byte, 0, 64*len(l)+16)}
	w.facts(l)
	return w.b
}

// encodeResult returns the record's manifest, stats and unused files
// encoded.
func (rec *buildRecord) encodeResult() []byte {
	m := rec.Manifest
	var names []string
	if len(rec.outputs) == len(m.Files) {
		// Sorted already, one for each entry (see recordable): a sort
		// of 20,000 names was 8 ms.
		names = make([]string, len(rec.outputs))
		for i, o := range rec.outputs {
			names[i] = o.Name
		}
	} else {
		names = slices.Sorted(maps.Keys(m.Files))
	}
	// Room for all of it at once: grown by doubling, the buffer of the
	// 4,000-file site's 600 kB was copied into 1.2 MB of fresh memory.
	const varint = binary.MaxVarintLen64
	total, room := 0, 256+len(m.Prefix)+64*len(rec.Unused)
	for _, name := range names {
		total += len(name)
		e := m.Files[name]
		room += len(name) + len(e.Path) + len(e.Integrity) + len(e.Bundle) + 16*varint
		for _, l := range [][]string{e.Sources, e.Imports, e.DynamicImports, e.CSS, e.Assets} {
			for _, s := range l {
				room += len(s) + varint
			}
		}
		for enc := range e.Encodings {
			room += len(enc) + 2*varint
		}
	}
	for _, u := range rec.Unused {
		room += len(u.Name) + len(u.Root)
	}
	w := recWriter{b: make([]byte, 0, room)}
	w.uint(uint64(m.Version))
	w.str(m.Prefix)
	w.count(len(names), total)
	prev := ""
	var encs []string
	for _, name := range names {
		w.shared(prev, name)
		prev = name
		e := m.Files[name]
		w.str(e.Path)
		w.uint(uint64(e.Size))
		w.str(e.Integrity)
		w.str(e.Bundle)
		for _, l := range [][]string{e.Sources, e.Imports, e.DynamicImports, e.CSS, e.Assets} {
			w.strs(l)
		}
		encs = encs[:0]
		for enc := range e.Encodings {
			encs = append(encs, enc)
		}
		slices.Sort(encs)
		w.uint(uint64(len(encs)))
		for _, enc := range encs {
			w.str(enc)
			w.uint(uint64(e.Encodings[enc]))
		}
	}
	st := rec.Stats
	for _, n := range []int{st.Bundles, st.Collected, st.Sources, st.Cached, int(st.BytesIn), int(st.BytesOut),
		st.Written, st.Unchanged, st.Compressed, st.Templates, st.TemplateRefs, st.TemplateSkipped} {
		w.uint(uint64(n))
	}
	w.uint(uint64(len(rec.Unused)))
	for _, u := range rec.Unused {
		w.str(u.Name)
		w.str(u.Root)
		w.uint(uint64(u.Size))
	}
	return w.b
}

// facts reads the facts of a record, after its header, handing each
// list to read, when not nil, as soon as it is read.
func (r *recReader) facts(rec *buildRecord, read func([]fact)) bool {
	if rec.Inputs = r.factList(); r.bad {
		return false
	}
	if read != nil {
		read(rec.Inputs)
	}
	if rec.Link, rec.Output = r.str(), r.factList(); r.bad || len(r.s) != 0 {
		return false
	}
	if read != nil {
		read(rec.Output)
	}
	return true
}

// header reads a record's format and key, and returns a reader of its
// facts (see facts) and one of the rest (see result), which can be read
// at the same time.
func (r *recReader) header(rec *buildRecord) (facts, rest *recReader, ok bool) {
	if r.str() != recordFormat || len(r.s) < sha256.Size {
		return nil, nil, false
	}
	copy(rec.Key[:], r.s)
	r.s = r.s[sha256.Size:]
	facts = &recReader{s: r.str()}
	return facts, &recReader{s: r.s}, !r.bad
}

// result reads the rest of a record, after its facts: the manifest, and
// the outputs it stands for, one for each entry in the order of their
// names, which is the record's.
func (r *recReader) result(rec *buildRecord) bool {
	m := &manifest.Manifest{Version: int(r.uint()), Prefix: r.str()}
	// Each entry is read into its output, which holds all of it but the
	// encodings, and the manifest's entries made from the outputs: a
	// list of entries besides was 750 kB of memory more to fault in.
	// TestRecordEncoding holds the outputs to outputOf the entries.
	n, names := r.paths(minEntrySize)
	outs := make([]Output, n)
	var encodings map[int]map[string]int64
	for i := range outs {
		names.add(r)
		o := &outs[i]
		o.Path, o.size, o.integrity, o.Bundle = r.str(), int64(r.uint()), r.str(), r.str()
		for _, l := range []*[]string{&o.Sources, &o.Imports, &o.DynamicImports, &o.CSS, &o.Assets} {
			*l = r.strs()
		}
		if k := r.count(); k > 0 {
			encs := make(map[string]int64, k)
			for range k {
				enc := r.str()
				encs[enc] = int64(r.uint())
			}
			if encodings == nil {
				encodings = map[int]map[string]int64{}
			}
			encodings[i] = encs
		}
	}
	m.Files = make(map[string]manifest.Entry, n)
	for i, name := range names.all() {
		o := &outs[i]
		o.Name = name
		m.Files[name] = manifest.Entry{
			Path: o.Path, Size: o.size, Integrity: o.integrity, Bundle: o.Bundle, Sources: o.Sources,
			Imports: o.Imports, DynamicImports: o.DynamicImports, CSS: o.CSS, Assets: o.Assets,
			Encodings: encodings[i],
		}
	}
	rec.Manifest, rec.outputs = m, outs
	st := &rec.Stats
	for _, n := range []*int{&st.Bundles, &st.Collected, &st.Sources, &st.Cached} {
		*n = int(r.uint())
	}
	st.BytesIn, st.BytesOut = int64(r.uint()), int64(r.uint())
	for _, n := range []*int{&st.Written, &st.Unchanged, &st.Compressed, &st.Templates, &st.TemplateRefs, &st.TemplateSkipped} {
		*n = int(r.uint())
	}
	for range r.count() {
		rec.Unused = append(rec.Unused, Unused{Name: r.str(), Root: r.str(), Size: int64(r.uint())})
	}
	if r.byte() == 1 {
		if len(r.s) < sha256.Size {
			r.fail()
		} else {
			copy(rec.GraphSum[:], r.s)
			r.s = r.s[sha256.Size:]
			rec.hasGraph = true
		}
	}
	rec.Spare, rec.SpareDirs, rec.Delta = r.str(), r.factList(), r.strs()
	if len(rec.SpareDirs) == 0 {
		rec.SpareDirs = nil
	}
	return !r.bad && len(r.s) == 0 && len(m.Files) == n
}

type recWriter struct{ b []byte }

func (w *recWriter) uint(x uint64) { w.b = binary.AppendUvarint(w.b, x) }

func (w *recWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *recWriter) strs(l []string) {
	w.uint(uint64(len(l)))
	for _, s := range l {
		w.str(s)
	}
}

// shared writes s as the length of its common prefix with prev and the
// rest.
func (w *recWriter) shared(prev, s string) {
	n := 0
	for n < len(prev) && n < len(s) && prev[n] == s[n] {
		n++
	}
	w.uint(uint64(n))
	w.str(s[n:])
}

// count writes the length of a list of paths and the sum of theirs, for
// the reader to make room for them at once.
func (w *recWriter) count(n, total int) {
	w.uint(uint64(n))
	w.uint(uint64(total))
}

func (w *recWriter) facts(l []fact) {
	total := 0
	for _, f := range l {
		total += len(f.Path)
	}
	w.count(len(l), total)
	prev := ""
	for _, f := range l {
		w.shared(prev, f.Path)
		prev = f.Path
		w.b = append(w.b, f.Kind)
		w.uint(uint64(f.Mode))
		w.uint(uint64(f.Size))
		w.uint(uint64(f.Mtime))
		w.uint(uint64(f.Ctime))
		w.uint(f.Ino)
		w.b = append(w.b, f.Sum)
		if f.Sum != 0 {
			w.b = append(w.b, f.Content[:]...)
		}
	}
}

// recReader reads what recWriter wrote, from a string: the strings it
// returns are parts of it, not copies (a rebuild with nothing changed
// made two allocations for each of the 4,000-file site's 12,000 paths).
// Past the first error, it reads zeros and sets bad.
type recReader struct {
	s   string
	bad bool
}

func (r *recReader) fail() {
	r.bad, r.s = true, ""
}

// uint reads what binary.AppendUvarint wrote, as binary.Uvarint does.
func (r *recReader) uint() uint64 {
	var x uint64
	var shift uint
	for i := 0; i < len(r.s) && i < binary.MaxVarintLen64; i++ {
		b := r.s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				break // overflows 64 bits
			}
			r.s = r.s[i+1:]
			return x | uint64(b)<<shift
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	r.fail()
	return 0
}

// count reads a length, which cannot exceed the bytes left.
func (r *recReader) count() int { return r.items(1) }

// items reads the length of a list whose every item takes at least size
// bytes of the record: a damaged length cannot make the reader allocate
// much more than the record holds.
func (r *recReader) items(size int) int {
	n := r.uint()
	if n > uint64(len(r.s)/size) {
		r.fail()
		return 0
	}
	return int(n)
}

// The fewest bytes a fact and a manifest entry take in a record: a byte
// for each number, length and kind.
const (
	minFactSize  = 9
	minEntrySize = 12
)

func (r *recReader) str() string {
	n := r.count()
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

func (r *recReader) strs() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = r.str()
	}
	return l
}

// byte reads one byte.
func (r *recReader) byte() byte {
	if len(r.s) == 0 {
		r.fail()
		return 0
	}
	b := r.s[0]
	r.s = r.s[1:]
	return b
}

// pathRun gathers a list of paths written by recWriter.shared, each after
// the one before, into one string: add reads the next, all returns them.
type pathRun struct {
	b    []byte
	ends []int
}

// paths reads what recWriter.count wrote: the number of paths that follow,
// each with an item of at least size bytes, and a pathRun with room for
// them. The room is bounded by what the bytes
// left could hold (the paths share their prefixes, but not 16 times over),
// so that a damaged record cannot make it allocate much.
func (r *recReader) paths(size int) (int, *pathRun) {
	n := r.items(size)
	total := min(r.uint(), 16*uint64(len(r.s)))
	return n, &pathRun{b: make([]byte, 0, total), ends: make([]int, 0, n)}
}

func (p *pathRun) add(r *recReader) {
	start, end := 0, 0
	if n := len(p.ends); n > 0 {
		end = p.ends[n-1]
		if n > 1 {
			start = p.ends[n-2]
		}
	}
	if k := r.uint(); k <= uint64(end-start) {
		p.b = append(p.b, p.b[start:start+int(k)]...)
	} else {
		r.fail()
	}
	p.b = append(p.b, r.str()...)
	p.ends = append(p.ends, len(p.b))
}

// all returns the paths read, as parts of one string: p.b itself, which
// nothing changes after (a copy was 500 kB more of memory to fault in on
// the 4,000-file site).
func (p *pathRun) all() iter.Seq2[int, string] {
	var s string
	if len(p.b) > 0 {
		s = unsafe.String(&p.b[0], len(p.b))
	}
	return func(yield func(int, string) bool) {
		start := 0
		for i, end := range p.ends {
			if !yield(i, s[start:end]) {
				return
			}
			start = end
		}
	}
}

func (r *recReader) factList() []fact {
	n, paths := r.paths(minFactSize)
	l := make([]fact, n)
	for i := range l {
		paths.add(r)
		f := &l[i]
		f.Kind = r.byte()
		f.Mode = uint32(r.uint())
		f.Size = int64(r.uint())
		f.Mtime = int64(r.uint())
		f.Ctime = int64(r.uint())
		f.Ino = r.uint()
		f.Sum = r.byte()
		if f.Sum != 0 {
			if len(r.s) < sha256.Size {
				r.fail()
			} else {
				copy(f.Content[:], r.s)
				r.s = r.s[sha256.Size:]
			}
		}
		if r.bad {
			return nil
		}
	}
	for i, path := range paths.all() {
		l[i].Path = path
	}
	return l
}
