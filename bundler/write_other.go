//go:build !unix

package bundler

import (
	"io/fs"
	"os"
	"path/filepath"
)

// readMapped returns the bytes of the file name, read (see the unix
// version), and a function that does nothing.
func readMapped(name string) ([]byte, func(), error) {
	data, err := os.ReadFile(name)
	return data, func() {}, err
}

// create writes the pieces, one after another, to a new file base in the
// directory reldir of the writer's root, which dir is. A file it could
// not write whole is removed.
func (w *writer) create(dir *os.Root, reldir, base string, pieces [][]byte) error {
	f, err := dir.OpenFile(base, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = writePieces(f, pieces)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		dir.Remove(base)
	}
	return err
}

// link makes base in the directory dir a hard link of src there.
func (w *writer) link(dir *os.Root, _, src, base string) error {
	return dir.Link(src, base)
}

// lstat returns the type and size of final, relative to the writer's
// root, without following a link. Not through the root, which opens
// every directory on the way: only reads, below directories checkDir
// found to be no links.
func (w *writer) lstat(final string) (fs.FileMode, int64, error) {
	st, err := os.Lstat(filepath.Join(w.real, final))
	if err != nil {
		return 0, 0, err
	}
	return st.Mode().Type(), st.Size(), nil
}
