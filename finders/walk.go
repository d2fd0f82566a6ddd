package finders

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxDepth bounds how deep a walk descends when the FS cannot tell whether
// two directories are the same, so that a symlink loop ends all the same.
const maxDepth = 64

// maxRevisits bounds how many times a walk enters a directory it has
// entered before, by another path through symbolic links. Links that form
// no loop can still multiply paths (each level of a tree linking twice to
// the next doubles them: 2^15 paths to one file from 15 levels), and a
// root's walk must end in time; a real tree enters few directories twice.
const maxRevisits = 1000

// fileID identifies a file on a device.
type fileID struct{ dev, ino uint64 }

// sameDir reports whether a and b describe the same directory, and whether
// that could be told at all.
func sameDir(a, b fs.FileInfo) (same, known bool) {
	if ia, ok := statID(a); ok {
		if ib, ok := statID(b); ok {
			return ia == ib, true
		}
	}
	if knowsIdentity(a) && knowsIdentity(b) {
		return os.SameFile(a, b), true
	}
	return false, false
}

// knowsIdentity reports whether fi can be compared with sameDir.
func knowsIdentity(fi fs.FileInfo) bool {
	if _, ok := statID(fi); ok {
		return true
	}
	// os.SameFile is false for anything but the os package's own FileInfo,
	// so comparing fi with itself tells whether it came from the os package.
	return os.SameFile(fi, fi)
}

// walkError is why a root could not be indexed.
type walkError struct {
	err    error // ErrSymlinkLoop, ErrTooManyPaths, ErrInvalidName or an I/O error
	detail string
}

// asError wraps w for the operation op on name.
func (w *walkError) asError(op, name string) *Error {
	return &Error{Op: op, Name: name, Err: w.err, Detail: w.detail}
}

// ancestor is a directory on the path from a root to the one being walked.
type ancestor struct {
	path string
	info fs.FileInfo
}

// walker lists the files of one root.
type walker struct {
	fsys  fs.FS
	label string // the root as shown to a person
	files []string
	links []Link // links that lead out of the root
	stack []ancestor

	entered  map[fileID]bool // directories entered, where the FS tells
	revisits int
}

// walkRoot returns the sorted paths of every file in r: regular files and
// symbolic links to regular files, found by following symbolic links to
// directories. Links whose targets do not exist are left out: editors leave
// them behind as lock files (Emacs's ".#name"), and they hold nothing to
// serve.
//
// It also returns the symbolic links that lead out of the root (see
// [Finder.Links]), where the FS can read links.
func walkRoot(r Root, label string) ([]string, []Link, *walkError) {
	if r.FS == nil {
		return nil, nil, &walkError{err: fmt.Errorf("root %s has no FS", label)}
	}
	if r.Prefix != "" {
		if p := nameProblem(r.Prefix); p != "" {
			return nil, nil, &walkError{err: ErrInvalidName, detail: fmt.Sprintf("root %s: prefix %q %s", label, r.Prefix, p)}
		}
	}
	w := &walker{fsys: r.FS, label: label, entered: map[fileID]bool{}}
	info, err := fs.Stat(r.FS, ".")
	if err != nil {
		return nil, nil, w.ioError(err)
	}
	if werr := w.dir(".", info, false); werr != nil {
		return nil, nil, werr
	}
	slices.Sort(w.files)
	return w.files, w.links, nil
}

// show returns p as a person should see it: under the root's label.
func (w *walker) show(p string) string { return path.Join(w.label, p) }

// ioError wraps an error of the root's FS, naming the path under the
// root's label.
func (w *walker) ioError(err error) *walkError {
	return &walkError{err: underLabel(w.label, err)}
}

// underLabel returns err, an error from the FS of the root shown as label,
// naming its path under label: "open static/css: permission denied".
func underLabel(label string, err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return &fs.PathError{Op: pe.Op, Path: path.Join(label, pe.Path), Err: pe.Err}
	}
	return fmt.Errorf("%s: %w", label, err)
}

// dir lists the files under dir, which info describes; outside says that
// a link on the way to dir led out of the root, whose further links are
// then not reported again.
func (w *walker) dir(dir string, info fs.FileInfo, outside bool) *walkError {
	for _, a := range w.stack {
		if same, _ := sameDir(a.info, info); same {
			return &walkError{err: ErrSymlinkLoop, detail: fmt.Sprintf("%s leads back to %s", w.show(dir), w.show(a.path))}
		}
	}
	if len(w.stack) >= maxDepth && !knowsIdentity(info) {
		return &walkError{err: ErrSymlinkLoop, detail: fmt.Sprintf("%s is more than %d directories deep", w.show(dir), maxDepth)}
	}
	if id, ok := statID(info); ok {
		if w.entered[id] {
			if w.revisits++; w.revisits > maxRevisits {
				return &walkError{err: ErrTooManyPaths, detail: fmt.Sprintf("more than %d directories are reached again by other paths through symbolic links (the last: %s)", maxRevisits, w.show(dir))}
			}
		}
		w.entered[id] = true
	}
	w.stack = append(w.stack, ancestor{dir, info})
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()

	entries, err := fs.ReadDir(w.fsys, dir)
	if err != nil {
		return w.ioError(err)
	}
	for _, e := range entries {
		p := path.Join(dir, e.Name())
		switch t := e.Type(); {
		case t.IsRegular():
			w.files = append(w.files, p)
		case t.IsDir(), t&fs.ModeSymlink != 0:
			// fs.Stat follows links, and gives directories an identity to
			// compare for loops.
			info, err := fs.Stat(w.fsys, p)
			if err != nil {
				if t&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) {
					continue // a dangling link
				}
				return w.ioError(err)
			}
			out := outside
			if t&fs.ModeSymlink != 0 && !outside {
				if target, ok := w.leaves(p); ok {
					w.links = append(w.links, Link{Path: p, Target: target})
					out = true
				}
			}
			switch {
			case info.IsDir():
				if werr := w.dir(p, info, out); werr != nil {
					return werr
				}
			case info.Mode().IsRegular():
				w.files = append(w.files, p)
			}
		}
		// Anything else (a device, a socket, a named pipe) is not a file
		// to serve.
	}
	return nil
}

// leaves returns the target of the symbolic link p, and whether it leads
// out of the root: an absolute target, or a relative one with more ".."
// than p is deep. (A relative target is taken from p's place in the root,
// which is where it lies unless a link on the way moved it.) An FS that
// cannot read links leaves nothing.
func (w *walker) leaves(p string) (string, bool) {
	rl, ok := w.fsys.(fs.ReadLinkFS)
	if !ok {
		return "", false
	}
	target, err := rl.ReadLink(p)
	if err != nil {
		return "", false
	}
	slash := filepath.ToSlash(target)
	if filepath.IsAbs(target) || path.IsAbs(slash) {
		return target, true
	}
	to := path.Join(path.Dir(p), slash)
	return target, to == ".." || strings.HasPrefix(to, "../")
}
