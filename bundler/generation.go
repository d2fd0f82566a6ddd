package bundler

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"
)

// How a build makes its output visible: the values of the config's
// switch key.
//
// In link mode the output directory is a symbolic link to one generation:
// a complete output directory beside it (build/static -> .static.gen-…),
// at the same depth, so that a relative path leading out of the output (a
// source map's "../../src/app.ts") resolves alike through the link and in
// the generation, as tools that resolve links (node) do. A build or prune that changes
// anything makes the next generation (the files it keeps hard-linked from
// the current one, so the cost is a link per file, not a copy), writes
// into it, and switches the link with one rename(2). A reader sees the
// previous build or the next, never a mix: after a kill at any point the
// link names a complete generation, and the next writer removes the rest.
//
// In place, files are renamed into the output directory one by one:
// hashed files, then plain copies, then the manifests. A reader between
// two renames, or after a kill, can see new plain copies beside the old
// manifest. It suits an output read only after the build (go:embed, which
// refuses a linked directory; an archive), and Windows, where a symbolic
// link needs a privilege.
const (
	switchLink    = "link"
	switchInPlace = "in-place"
)

// defaultSwitch is the mode of a config without a switch key.
func defaultSwitch() string {
	if runtime.GOOS == "windows" {
		return switchInPlace
	}
	return switchLink
}

// The names beside an output directory build/static that stapler keeps:
// its lock (build/.static.lock), and in link mode its generations
// (build/.static.gen-…) and the next link before it is renamed over the
// output (build/.static.next). ownName reports whether a path is one.
func lockPath(dir string) string   { return besideOutput(dir, "lock") }
func switchName(dir string) string { return besideOutput(dir, "next") }
func genPrefix(dir string) string  { return "." + filepath.Base(dir) + ".gen-" }

func besideOutput(dir, what string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+"."+what)
}

func ownName(dir, name string) bool {
	return filepath.Dir(name) == filepath.Dir(dir) && strings.HasPrefix(filepath.Base(name), "."+filepath.Base(dir)+".")
}

// output is an output directory as a writer, a build or prune holding its
// lock, finds it.
type output struct {
	dir     string // as configured: in link mode, the link
	link    bool   // link mode: a change makes a generation and switches to it
	current string // link mode: the generation dir links to; "" when none
	spare   string // link mode: an earlier generation that next makes the next one of
	plain   bool   // dir is a directory (an in-place build's): a switch replaces it with a link
	fresh   bool   // next made an empty generation: nothing is in place in it
	// carried is what the spare generation's sync left in the next one,
	// when it could say (see syncTreeDirents): each regular file's name
	// and inode; nil otherwise.
	carried map[string]uint64
	// relinked are the inodes whose links the sync changed, when it
	// could say: their change times moved.
	relinked map[uint64]bool
	synced   bool // next made the spare from the last build's delta alone
}

// openOutput finds what dir is: nothing yet, a directory, or a link to a
// generation of its store. link asks for link mode; a directory that
// already is a link to a generation is written in link mode whatever the
// config says, since writing into a generation in place would change
// files that the previous generation shares.
func openOutput(dir string, link bool) (*output, error) {
	o := &output{dir: dir, link: link}
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("bundler: %w", err)
	case st.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(dir)
		if err != nil {
			return nil, fmt.Errorf("bundler: %w", err)
		}
		gen, ok := o.generation(target)
		if !ok {
			if !link {
				return o, nil // in place, through the link, as the user set it up
			}
			return nil, fmt.Errorf("bundler: cannot switch %s: it is a symbolic link to %s, which stapler did not make; set output to the directory it links to, or switch = %q", dir, target, switchInPlace)
		}
		o.current, o.link = gen, true
	case st.IsDir():
		o.plain = true
	default:
		return nil, fmt.Errorf("bundler: cannot write the output %s: a %s is in the way", dir, fileKind(st.Mode()))
	}
	return o, nil
}

// generation returns the name of the generation a link's target names,
// and whether it names one of this output's.
func (o *output) generation(target string) (string, bool) {
	if !strings.HasPrefix(target, genPrefix(o.dir)) || strings.ContainsAny(target, `/\`) {
		return "", false
	}
	return target, true
}

// exists reports whether there is a current output to read and keep.
func (o *output) exists() bool { return o.current != "" || o.plain }

// sweep removes, in link mode, what killed or earlier writers left beside
// the output: every generation but the current one and one spare (the one
// replaced last time, kept until now for readers that had looked its path
// up, or one a killed build half made), and a link a killed switch did
// not rename. next turns the spare into the next generation.
func (o *output) sweep() error {
	if !o.link {
		return nil
	}
	// (A link, or the directory a switch replaced and could not move.)
	if err := os.RemoveAll(switchName(o.dir)); err != nil {
		return fmt.Errorf("bundler: %w", err)
	}
	parent := filepath.Dir(o.dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return fmt.Errorf("bundler: %w", err)
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, genPrefix(o.dir)) && n != o.current {
			if o.spare == "" && e.IsDir() {
				o.spare = n
				continue
			}
			if err := removeTree(filepath.Join(parent, n)); err != nil {
				return fmt.Errorf("bundler: removing an old generation: %w", err)
			}
		}
	}
	return nil
}

// next makes a new generation beside the output holding every file of the
// current output, hard-linked, except those skip names (slash-separated)
// and temporary files of killed builds; it returns the generation's name
// and its root. The caller writes into the root and then switches to it.
// A hashed file is never written twice, and a plain copy is replaced by a
// rename, so the current generation's files are never changed through the
// links they share.
//
// With a spare generation (see sweep), it is made the next one: the files
// it shares with the current one (the same inode) are kept, and only the
// rest is linked anew or removed, so a build that changes a few files
// costs a stat per file, not a link and a removal. names asks for the
// list of what it carried (o.carried), where it can say. With delta, the
// last build's changes to the spare's files, the sync makes those alone
// when delta's spare is the one here and its directories hold.
func (o *output) next(skip func(name string) bool, names bool, delta *spareDelta) (string, *os.Root, error) {
	name := o.spare
	o.spare = ""
	o.carried, o.relinked, o.synced = nil, nil, false
	if name != "" && o.exists() && delta != nil && delta.spare == name && skip == nil && allSame(delta.dirs) {
		relinked, err := delta.apply(o.dir, filepath.Join(filepath.Dir(o.dir), name))
		if err == nil {
			o.relinked = relinked
			root, err := os.OpenRoot(filepath.Join(filepath.Dir(o.dir), name))
			if err == nil {
				o.synced = true
				return name, root, nil
			}
		}
		// Whatever went wrong, the whole sync below makes it right.
	}
	if name != "" && o.exists() {
		carried, relinked, err := syncTree(o.dir, filepath.Join(filepath.Dir(o.dir), name), skip, names)
		if err != nil {
			o.discard(name) // and make one anew
			name = ""
		} else {
			o.carried, o.relinked = carried, relinked
		}
	} else if name != "" {
		o.discard(name)
		name = ""
	}
	if name == "" {
		name = genPrefix(o.dir) + strings.ToLower(rand.Text()[:16])
		gen := filepath.Join(filepath.Dir(o.dir), name)
		if err := os.Mkdir(gen, 0o755); err != nil {
			return "", nil, fmt.Errorf("bundler: %w", err)
		}
		if o.exists() {
			if err := cloneTree(o.dir, gen, skip); err != nil {
				o.discard(name)
				return "", nil, err
			}
		} else {
			o.fresh = true
		}
	}
	gen := filepath.Join(filepath.Dir(o.dir), name)
	root, err := os.OpenRoot(gen)
	if err != nil {
		o.discard(name)
		return "", nil, fmt.Errorf("bundler: %w", err)
	}
	return name, root, nil
}

// spareDelta is what a build changed in the generation it made, which
// the next build's spare generation (the one that was current) lacks: the
// names it wrote, linked or removed, slash-separated, sorted, and each
// directory it made, with a trailing slash. A generation is made from
// the spare, synced to the current one: what the spare differs from the
// current one by is the last build's changes, and the next build's sync
// needs to make those alone. The record keeps it, with the stat of each
// of the spare's directories as the last build left them (dirs): an entry
// added, removed or renamed in one since shows in its stat; a file of it
// edited in place is a file the current generation shares (and its stat
// in the record's output facts shows the edit), or one the last build
// removed, which the delta removes too.
type spareDelta struct {
	spare string // the spare generation's name
	dirs  []fact // its directories' stats
	names []string
}

// apply makes dst, the spare generation, hold what src, the current one,
// does, from the delta's names alone; it returns the inodes whose links
// it changed. An error leaves dst for a whole sync to make right.
func (d *spareDelta) apply(src, dst string) (map[uint64]bool, error) {
	relinked := map[uint64]bool{}
	for _, n := range d.names {
		if strings.HasSuffix(n, "/") {
			if err := os.MkdirAll(filepath.Join(dst, filepath.FromSlash(n)), 0o755); err != nil {
				return nil, err
			}
		}
	}
	for _, n := range d.names {
		if strings.HasSuffix(n, "/") {
			continue
		}
		from, to := filepath.Join(src, filepath.FromSlash(n)), filepath.Join(dst, filepath.FromSlash(n))
		if old, err := os.Lstat(to); err == nil {
			if !old.Mode().IsRegular() {
				return nil, fmt.Errorf("bundler: %s is a %s", to, fileKind(old.Mode()))
			}
			relinked[statOf(old).ino] = true
			if err := os.Remove(to); err != nil {
				return nil, err
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		fi, err := os.Lstat(from)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue // the last build removed it
		case err != nil:
			return nil, err
		case !fi.Mode().IsRegular():
			return nil, fmt.Errorf("bundler: %s is a %s", from, fileKind(fi.Mode()))
		}
		st := statOf(fi)
		if st.ino == 0 {
			return nil, errors.New("bundler: no inodes here")
		}
		relinked[st.ino] = true
		if err := os.Link(from, to); err != nil {
			return nil, err
		}
	}
	return relinked, nil
}

// discard removes a generation that was not switched to, as far as it
// can: what is left, the next writer's sweep removes.
func (o *output) discard(name string) {
	os.RemoveAll(filepath.Join(filepath.Dir(o.dir), name))
}

// cloneTree makes dst, an empty directory, hold the tree of src: its
// directories made anew, its regular files hard-linked (copied where the
// file system has no hard links). A symbolic link or special file in src
// is an error naming it: a build writes only inside its output, and what
// it writes next must not lead out of it.
//
// The directories are made as the walk meets them; the files are linked
// in parallel, the system's work per link being most of the cost.
func cloneTree(src, dst string, skip func(name string) bool) error {
	g := new(errgroup.Group)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	err := fs.WalkDir(os.DirFS(src), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("bundler: %w", err)
		}
		from, to := filepath.Join(src, filepath.FromSlash(name)), filepath.Join(dst, filepath.FromSlash(name))
		switch {
		case name == ".":
			return nil
		case d.IsDir():
			return os.Mkdir(to, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("bundler: cannot carry %s into the next build: it is a %s, and a build writes only inside its output directory; remove it", from, fileKind(d.Type()))
		case isTemp(d.Name()), skip != nil && skip(name):
			return nil
		}
		g.Go(func() error {
			err := os.Link(from, to)
			if err != nil && !errors.Is(err, fs.ErrExist) {
				err = copyFile(from, to)
			}
			if err != nil {
				return fmt.Errorf("bundler: %w", err)
			}
			return nil
		})
		return nil
	})
	return errors.Join(err, g.Wait())
}

// syncTree makes dst, a generation no reader sees, hold what cloneTree
// would make of src: a file dst already shares with src (the same inode)
// is kept, any other is replaced by a link to src's, and what src does not
// hold is removed. Nothing in dst is followed: a link there is removed.
func syncTree(src, dst string, skip func(name string) bool, names bool) (carried map[string]uint64, relinked map[uint64]bool, err error) {
	if done, carried, relinked, err := syncTreeDirents(src, dst, skip, names); done {
		return carried, relinked, err
	}
	return nil, nil, syncTreeStat(src, dst, skip)
}

// syncTreeStat is syncTree with a stat of each file of both trees.
func syncTreeStat(src, dst string, skip func(name string) bool) error {
	have := map[string]bool{} // what dst must hold, slash-separated
	g := new(errgroup.Group)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	err := fs.WalkDir(os.DirFS(src), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("bundler: %w", err)
		}
		from, to := filepath.Join(src, filepath.FromSlash(name)), filepath.Join(dst, filepath.FromSlash(name))
		switch {
		case name == ".":
			return nil
		case d.IsDir():
			have[name] = true
			st, err := os.Lstat(to)
			if err == nil && st.IsDir() {
				return nil
			}
			if err == nil {
				if err := os.Remove(to); err != nil {
					return err
				}
			}
			return os.Mkdir(to, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("bundler: cannot carry %s into the next build: it is a %s, and a build writes only inside its output directory; remove it", from, fileKind(d.Type()))
		case isTemp(d.Name()), skip != nil && skip(name):
			return nil
		}
		have[name] = true
		g.Go(func() error {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			st, err := os.Lstat(to)
			switch {
			case err == nil && os.SameFile(fi, st):
				return nil
			case err == nil && st.IsDir():
				err = removeTree(to)
			case err == nil:
				err = os.Remove(to)
			case errors.Is(err, fs.ErrNotExist):
				err = nil
			}
			if err != nil {
				return err
			}
			err = os.Link(from, to)
			if err != nil && !errors.Is(err, fs.ErrExist) {
				err = copyFile(from, to)
			}
			return err
		})
		return nil
	})
	if err := errors.Join(err, g.Wait()); err != nil {
		return err
	}
	var extra []string
	err = fs.WalkDir(os.DirFS(dst), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		if !have[name] {
			extra = append(extra, name)
			if d.IsDir() {
				return fs.SkipDir
			}
		}
		return nil
	})
	for _, name := range extra {
		if err := removeTree(filepath.Join(dst, filepath.FromSlash(name))); err != nil {
			return err
		}
	}
	return err
}

// removeTree removes dir and everything in it, as os.RemoveAll does, with
// the files removed in parallel.
func removeTree(dir string) error {
	var dirs []string
	g := new(errgroup.Group)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir():
			dirs = append(dirs, p)
		default:
			g.Go(func() error {
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				return nil
			})
		}
		return nil
	})
	if err := errors.Join(err, g.Wait()); err != nil {
		return os.RemoveAll(dir) // what it can, the slow way, and its error
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := os.Remove(dirs[i]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return os.RemoveAll(dir)
		}
	}
	return nil
}

// copyFile copies a regular file, keeping its modification time, which
// prune's age rule reads.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chtimes(to, st.ModTime(), st.ModTime())
}

// isTemp reports whether a file name is a writer's temporary file.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".stapler-") && strings.HasSuffix(name, ".tmp")
}

// switchTo makes dir a link to the generation name, with one rename. The
// first switch of a directory that is not yet a link exchanges the two
// atomically where the system can (Linux's renameat2), and otherwise
// moves the directory aside first, leaving a moment without an output;
// the directory is then named as a generation, to be swept by the next
// writer.
func (o *output) switchTo(name string) error {
	tmp := switchName(o.dir)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bundler: %w", err)
	}
	if err := os.Symlink(name, tmp); err != nil {
		return fmt.Errorf("bundler: making the link to the new output: %w", err)
	}
	if o.plain {
		aside := filepath.Join(filepath.Dir(o.dir), genPrefix(o.dir)+"replaced-"+strings.ToLower(rand.Text()[:8]))
		err := exchange(tmp, o.dir)
		switch {
		case err == nil:
			// dir is the link; tmp now names the replaced directory.
			o.current, o.plain = name, false
			if err := os.Rename(tmp, aside); err != nil {
				return fmt.Errorf("bundler: %w", err)
			}
		case errors.Is(err, errNoExchange):
			if err := os.Rename(o.dir, aside); err != nil {
				return fmt.Errorf("bundler: %w", err)
			}
			if err := os.Rename(tmp, o.dir); err != nil {
				return fmt.Errorf("bundler: %w", err)
			}
		default:
			os.Remove(tmp)
			return fmt.Errorf("bundler: cannot replace the directory %s with a link to its next generation (%w); if it is a mount point, set output to a directory inside it, or switch = %q", o.dir, err, switchInPlace)
		}
	} else if err := os.Rename(tmp, o.dir); err != nil {
		return fmt.Errorf("bundler: switching %s to the new output: %w", o.dir, err)
	}
	o.current, o.plain = name, false
	return nil
}

// errNoExchange is what exchange returns where the system cannot swap two
// names atomically.
var errNoExchange = errors.New("no atomic exchange")
