package bundler

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sys/unix"
)

// dirent is a directory entry as getdents64 gives it: its inode number
// and type come with its name, without a stat.
type dirent struct {
	name string
	ino  uint64
	typ  uint8 // unix.DT_*
}

// readDirents lists the directory dir, "." and ".." left out. A link is
// followed only where dir is top, the tree's top (an output's link).
func readDirents(dir string, top bool) ([]dirent, error) {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC
	if !top {
		flags |= unix.O_NOFOLLOW
	}
	fd, err := unix.Open(dir, flags, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	return direntsOf(fd, dir)
}

// direntBufs holds the buffers direntsOf reads listings into.
var direntBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// direntsOf lists the open directory fd, shown as dir.
func direntsOf(fd int, dir string) ([]dirent, error) {
	var out []dirent
	bp := direntBufs.Get().(*[]byte)
	defer direntBufs.Put(bp)
	buf := *bp
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return out, nil
		}
		if out == nil {
			// Room for the entries of a buffer as full as the first
			// (an entry is 24 bytes and its name, rounded up to 8).
			out = make([]dirent, 0, n/32+8)
		}
		// struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
		for b := buf[:n]; len(b) > 0; {
			if len(b) < 19 {
				return nil, &fs.PathError{Op: "getdents", Path: dir, Err: errors.New("short entry")}
			}
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil, &fs.PathError{Op: "getdents", Path: dir, Err: errors.New("bad entry length")}
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				out = append(out, dirent{name: s, ino: binary.NativeEndian.Uint64(b[0:8]), typ: b[18]})
			}
			b = b[reclen:]
		}
	}
}

// syncTreeDirents is syncTree's work done from the two trees' directory
// listings alone: getdents64 gives each entry's inode number, so a file
// dst shares with src is known without a stat of either (two stats a file
// were most of a rebuild's system time on the 4,000-file site). It
// reports done false, having changed nothing that syncTree would not,
// where a file system leaves an entry's type unknown. Done, it returns
// carried: every regular file dst then holds, by slash-separated name,
// with its inode, which it shares with src's file of that name (0 for
// one it could not link, whose inode it does not know); and relinked,
// the inodes whose links it changed (and so their change time), of both
// trees, or nil when it removed a directory's tree and cannot say.
func syncTreeDirents(src, dst string, skip func(name string) bool, names bool) (done bool, carried map[string]uint64, relinked map[uint64]bool, err error) {
	g := new(errgroup.Group)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	if names {
		carried = map[string]uint64{}
	}
	relinked = map[uint64]bool{}
	var treeRemoved atomic.Bool
	var copiedMu sync.Mutex
	var copied []string // not linked to src's inode: a copy, or a name found taken
	var unknown atomic.Bool
	errUnknown := errors.New("unknown entry type")
	var walk func(rel string) error
	walk = func(rel string) error {
		sdir, ddir := filepath.Join(src, filepath.FromSlash(rel)), filepath.Join(dst, filepath.FromSlash(rel))
		sents, err := readDirents(sdir, rel == ".")
		if err != nil {
			return fmt.Errorf("bundler: %w", err)
		}
		dents, err := readDirents(ddir, rel == ".")
		if err != nil {
			return fmt.Errorf("bundler: %w", err)
		}
		in := make(map[string]dirent, len(dents))
		for _, d := range dents {
			if d.typ == unix.DT_UNKNOWN {
				unknown.Store(true)
				return errUnknown
			}
			in[d.name] = d
		}
		for _, e := range sents {
			// Joined only where needed: a sync that changes a few files
			// of 8,000 made three strings of each name.
			var name, from, to string
			if e.typ == unix.DT_DIR || names || skip != nil {
				name = path.Join(rel, e.name)
			}
			d, ok := in[e.name]
			if e.typ != unix.DT_REG || !ok || d.typ != unix.DT_REG || d.ino != e.ino {
				from, to = filepath.Join(sdir, e.name), filepath.Join(ddir, e.name)
			}
			switch e.typ {
			case unix.DT_UNKNOWN:
				unknown.Store(true)
				return errUnknown
			case unix.DT_DIR:
				delete(in, e.name)
				if ok && d.typ != unix.DT_DIR {
					if err := os.Remove(to); err != nil {
						return err
					}
				}
				if !ok || d.typ != unix.DT_DIR {
					if err := os.Mkdir(to, 0o755); err != nil {
						return err
					}
				}
				if err := walk(name); err != nil {
					return err
				}
				continue
			case unix.DT_REG:
			default:
				mode := fs.ModeDevice
				if e.typ == unix.DT_LNK {
					mode = fs.ModeSymlink
				}
				return fmt.Errorf("bundler: cannot carry %s into the next build: it is a %s, and a build writes only inside its output directory; remove it", from, fileKind(mode))
			}
			if isTemp(e.name) || skip != nil && skip(name) {
				continue // left in, and removed below if dst has it
			}
			delete(in, e.name)
			if names {
				carried[name] = e.ino
			}
			if ok && d.typ == unix.DT_REG && d.ino == e.ino {
				continue // the same file
			}
			relinked[e.ino] = true
			if ok && d.typ == unix.DT_REG {
				relinked[d.ino] = true
			}
			g.Go(func() error {
				var err error
				switch {
				case ok && d.typ == unix.DT_DIR:
					treeRemoved.Store(true)
					err = removeTree(to)
				case ok:
					err = os.Remove(to)
				}
				if err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				err = os.Link(from, to)
				if err != nil {
					copiedMu.Lock()
					copied = append(copied, path.Join(rel, e.name))
					copiedMu.Unlock()
				}
				if err != nil && !errors.Is(err, fs.ErrExist) {
					err = copyFile(from, to)
				}
				return err
			})
		}
		// What src does not hold.
		for _, d := range in {
			to := filepath.Join(ddir, d.name)
			if d.typ == unix.DT_DIR {
				treeRemoved.Store(true)
			} else {
				relinked[d.ino] = true
			}
			g.Go(func() error {
				if d.typ == unix.DT_DIR {
					return removeTree(to)
				}
				return os.Remove(to)
			})
		}
		return nil
	}
	err = walk(".")
	err = errors.Join(err, g.Wait())
	if unknown.Load() {
		return false, nil, nil, nil
	}
	for _, name := range copied {
		if names {
			carried[name] = 0 // there, of an inode unknown
		}
		// A copy's inode is new: whoever keeps a stat by inode has
		// none of it.
	}
	if treeRemoved.Load() {
		relinked = nil
	}
	return true, carried, relinked, err
}

// outputFacts returns the facts of the output out and of every file and
// directory in it, from its directories' listings and one fstatat for
// each directory and each inode: a plain copy is a hard link of its
// hashed file, known by the inode number its listing gives. The listings
// come first, in parallel, and their entries are taken in the walk's
// order (a file with several names is stat'ed under the first met); then
// the stats, in parallel, each into its place: the same facts in the same
// order as one walk, in less time (a serial walk was 22 ms of every
// one-image rebuild of the 4,000-file site, after the build had written;
// serial listings, 45 ms of CPU of the 20,000-file site's). A regular file
// whose inode known holds takes that fact, its path set, without a stat:
// the write's stats of the inodes it left alone (writer.untouched), which
// took a one-image rebuild of that site from 12,943 fstatat calls to
// 8,257 (strace -c).
func outputFacts(out string, known func(ino uint64) (fact, bool)) ([]fact, error) {
	fi, err := os.Stat(out) // through its link, to the generation
	top, ok := factOf(out, factStat, fi, err)
	if !ok {
		return nil, errors.New("cannot record the output")
	}
	// The listings, in parallel, each directory's with its
	// subdirectories' in their places.
	type listing struct {
		dir  string
		des  []dirent
		subs []*listing // for each entry, its listing when a directory
	}
	var lists errgroup.Group
	lists.SetLimit(2 * runtime.GOMAXPROCS(0))
	var list func(l *listing, flags int) error
	list = func(l *listing, flags int) error {
		fd, err := unix.Open(l.dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|flags, 0)
		if err != nil {
			return &fs.PathError{Op: "open", Path: l.dir, Err: err}
		}
		defer unix.Close(fd)
		if l.des, err = direntsOf(fd, l.dir); err != nil {
			return err
		}
		l.subs = make([]*listing, len(l.des))
		for i, e := range l.des {
			isDir := e.typ == unix.DT_DIR
			if e.typ == unix.DT_UNKNOWN { // the file system does not say
				var st unix.Stat_t
				if err := unix.Fstatat(fd, e.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
					return &fs.PathError{Op: "lstat", Path: filepath.Join(l.dir, e.name), Err: err}
				}
				isDir = st.Mode&unix.S_IFMT == unix.S_IFDIR
			}
			if isDir {
				sub := &listing{dir: filepath.Join(l.dir, e.name)}
				l.subs[i] = sub
				if !lists.TryGo(func() error { return list(sub, unix.O_NOFOLLOW) }) {
					if err := list(sub, unix.O_NOFOLLOW); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	root := &listing{dir: out}
	err = list(root, 0)
	if err := cmp.Or(err, lists.Wait()); err != nil {
		return nil, err
	}
	// Then the entries in the walk's order, each inode under the first
	// name met.
	type entry struct {
		dir  int // index into dirs
		name string
		ino  uint64 // a regular file's, as listed; 0 for anything else
	}
	n, d := 0, 0
	var count func(l *listing)
	count = func(l *listing) {
		n, d = n+len(l.des), d+1
		for _, sub := range l.subs {
			if sub != nil {
				count(sub)
			}
		}
	}
	count(root)
	dirs := make([]string, 0, d)
	ents := make([]entry, 0, n)
	seen := make(map[uint64]bool, n/2) // most files two names of one inode
	var walk func(l *listing)
	walk = func(l *listing) {
		d := len(dirs)
		dirs = append(dirs, l.dir)
		for i, e := range l.des {
			var ino uint64
			if e.typ == unix.DT_REG {
				if seen[e.ino] {
					continue
				}
				seen[e.ino] = true
				ino = e.ino
			}
			ents = append(ents, entry{d, e.name, ino})
			if l.subs[i] != nil {
				walk(l.subs[i])
			}
		}
	}
	walk(root)
	// The stats, by runs of one directory's entries.
	facts := make([]fact, 1+len(ents))
	facts[0] = top
	stats := func(start, end int) error {
		dir := dirs[ents[start].dir]
		flags := unix.O_NOFOLLOW
		if ents[start].dir == 0 {
			flags = 0 // out itself: through its link, as listed
		}
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|flags, 0)
		if err != nil {
			return &fs.PathError{Op: "open", Path: dir, Err: err}
		}
		defer unix.Close(fd)
		for i := start; i < end; i++ {
			if facts[1+i], err = entryFact(fd, dir, ents[i].name, ents[i].ino, known); err != nil {
				return err
			}
		}
		return nil
	}
	var g errgroup.Group
	g.SetLimit(2 * runtime.GOMAXPROCS(0))
	const most = 256
	for start := 0; start < len(ents); {
		end := start + 1
		for end < len(ents) && end-start < most && ents[end].dir == ents[start].dir {
			end++
		}
		run := start // start moves on before the goroutine runs
		g.Go(func() error { return stats(run, end) })
		start = end
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return facts, nil
}

// lstatFact is the fact of the file final of the writer's root, from an
// lstat relative to its directory.
func (w *writer) lstatFact(final string) (fact, error) {
	st, err := w.lstatRaw(final)
	if err != nil {
		return fact{}, err
	}
	return statFact("", factLstat, &st), nil
}

// statFact is the fact of path of the kind given, from its stat st.
func statFact(path string, kind byte, st *unix.Stat_t) fact {
	return fact{Path: path, Kind: kind, Mode: st.Mode, Size: st.Size, Mtime: st.Mtim.Nano(), Ctime: st.Ctim.Nano(), Ino: st.Ino}
}

// entryFact is the fact of the entry name of the directory dir, open as
// fd: a regular file's (ino, as listed, not 0) as known has it, when it
// does (see outputFacts); else from an lstat.
func entryFact(fd int, dir, name string, ino uint64, known func(ino uint64) (fact, bool)) (fact, error) {
	path := filepath.Join(dir, name)
	if ino != 0 && known != nil {
		if f, ok := known(ino); ok {
			f.Path = path
			return f, nil
		}
	}
	var st unix.Stat_t
	if err := unix.Fstatat(fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fact{}, &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	return statFact(path, factLstat, &st), nil
}

// outputFactsFrom is outputFacts for an output whose generation the write
// made from the last build's delta (see spareDelta) and then changed:
// such a generation holds what the last build's output held, the names
// and the inodes its record's facts, last, list. So what last says of a
// directory the write did not change still holds, but for the stats of
// the directories themselves (another generation's, stat'ed again) and
// of the files whose links changed (known vouches for the rest, see
// keptStats). The directories the write did change, each a parent of a
// name of changed (slash-separated, relative to out, a directory's with
// a trailing slash) or one it made, are listed as outputFacts lists them.
// On the 4,000-file site, one image changed: 8 directories of 107 listed
// (the writes', made or found, and their parents), and the output's facts
// taken in 5 ms, not 11. ok is false where last does not fit: outputFacts
// then lists the whole output.
func outputFactsFrom(out string, last []fact, changed []string, known func(ino uint64) (fact, bool)) (facts []fact, ok bool) {
	if len(last) == 0 || last[0].Path != out || known == nil {
		return nil, false
	}
	fi, err := os.Stat(out) // through its link, to the generation
	top, ok := factOf(out, factStat, fi, err)
	if !ok {
		return nil, false
	}
	dirty := map[string]bool{}
	for _, n := range changed {
		name := filepath.Join(out, filepath.FromSlash(strings.TrimSuffix(n, "/")))
		if strings.HasSuffix(n, "/") {
			dirty[name] = true // made, or found (see writer.made)
		}
		if name != out {
			dirty[filepath.Dir(name)] = true
		}
	}
	prefix := out + string(filepath.Separator)
	// The directories changed, listed first, in a list sorted by path.
	var listed []fact
	seen := map[uint64]bool{}
	for _, dir := range slices.Sorted(maps.Keys(dirty)) {
		if dir != out && !strings.HasPrefix(dir, prefix) {
			return nil, false
		}
		flags := unix.O_NOFOLLOW
		if dir == out {
			flags = 0 // through its link
		}
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|flags, 0)
		if err != nil {
			return nil, false
		}
		des, err := direntsOf(fd, dir)
		for _, e := range des {
			if err != nil {
				break
			}
			var ino uint64 // as outputFacts: one fact of each inode
			if e.typ == unix.DT_REG {
				if seen[e.ino] {
					continue
				}
				seen[e.ino], ino = true, e.ino
			}
			var f fact
			if f, err = entryFact(fd, dir, e.name, ino, known); err == nil {
				listed = append(listed, f)
			}
		}
		unix.Close(fd)
		if err != nil {
			return nil, false
		}
	}
	slices.SortFunc(listed, func(a, b fact) int { return strings.Compare(a.Path, b.Path) })
	// Then last's facts of the rest, in order, the listed merged in.
	facts = make([]fact, 0, len(last)+len(listed))
	facts = append(facts, top)
	for _, f := range last[1:] {
		i := strings.LastIndexByte(f.Path, filepath.Separator)
		if !strings.HasPrefix(f.Path, prefix) || i < len(out) {
			return nil, false
		}
		if dirty[f.Path[:i]] {
			continue // listed
		}
		for len(listed) > 0 && listed[0].Path < f.Path {
			facts, listed = append(facts, listed[0]), listed[1:]
		}
		if f.Kind == factLstat && f.Mode&syscallIFMT == syscallIFREG {
			if g, ok := known(f.Ino); ok {
				g.Path = f.Path
				facts = append(facts, g)
				continue
			}
		}
		if f.Kind != factLstat {
			return nil, false // not what a listing gives
		}
		var st unix.Stat_t
		if err := unix.Lstat(f.Path, &st); err != nil {
			return nil, false // gone
		}
		facts = append(facts, statFact(f.Path, factLstat, &st))
	}
	return append(facts, listed...), true
}
