//go:build unix

package bundler

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// readMapped returns the bytes of the file name, mapped into memory, and
// the function that unmaps them, to be called once nothing refers to
// them. Read, a file's bytes are copied into memory the process has not
// used yet, which on the project's machine costs 4 ms a MB to fault in
// (the two manifests a one-image rebuild of the 4,000-file site reads
// are 1.3 MB); mapped, they are the page cache's, in place. The files it
// reads are replaced by a rename, never written in place: a mapping
// outlives the name. An empty file has no bytes to map.
func readMapped(name string) ([]byte, func(), error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, func() {}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return nil, func() {}, err
	case !fi.Mode().IsRegular() || fi.Size() == 0 || int64(int(fi.Size())) != fi.Size():
		data, err := io.ReadAll(f)
		return data, func() {}, err
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		data, err := io.ReadAll(f)
		return data, func() {}, err
	}
	return data, func() { unix.Munmap(data) }, nil
}

// create writes data to a new file base in the directory reldir of the
// writer's root: with the directory's descriptor, one openat, the writes
// and a close. An os.File costs as many system calls again to set up
// (non-blocking mode, the poller), and creating files is most of a cold
// build's time: on the project's machine, 28-50 µs a file this way,
// 100-210 µs through os.Root.OpenFile. A file it could not write whole is
// removed.
func (w *writer) create(_ *os.Root, reldir, base string, pieces [][]byte) error {
	fd, nfd, err := w.createFile(reldir, base)
	if err != nil {
		return err
	}
	for _, data := range pieces {
		for len(data) > 0 && err == nil {
			n, werr := unix.Write(nfd, data)
			if werr == unix.EINTR {
				continue
			}
			if werr != nil {
				err = werr
				break
			}
			data = data[n:]
		}
	}
	if err == nil && chmodNeeded() {
		err = unix.Fchmod(nfd, 0o644)
	}
	if cerr := unix.Close(nfd); err == nil {
		err = cerr
	}
	if err != nil {
		unix.Unlinkat(fd, base, 0)
		return w.pathError("write", reldir, base, err)
	}
	return nil
}

// createFile creates base, a new file, in the directory reldir, and
// returns the directory's descriptor and the file's, open to write.
func (w *writer) createFile(reldir, base string) (dirfd, fd int, err error) {
	if dirfd, err = w.dirFD(reldir); err != nil {
		return -1, -1, err
	}
	for {
		fd, err = unix.Openat(dirfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o644)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return -1, -1, w.pathError("open", reldir, base, err)
	}
	return dirfd, fd, nil
}

// link makes base in the directory reldir a hard link of src there.
func (w *writer) link(_ *os.Root, reldir, src, base string) error {
	fd, err := w.dirFD(reldir)
	if err != nil {
		return err
	}
	for {
		err = unix.Linkat(fd, src, fd, base, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return w.pathError("link", reldir, base, err)
	}
	return nil
}

// dirFD returns the descriptor of the directory reldir of the writer's
// root, opened once, through the root: no symbolic link on the way.
func (w *writer) dirFD(reldir string) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f, ok := w.dirFiles[reldir]
	if !ok {
		var err error
		if f, err = w.root.Open(reldir); err != nil {
			return -1, err
		}
		w.dirFiles[reldir] = f
	}
	return int(f.Fd()), nil
}

func (w *writer) pathError(op, reldir, base string, err error) error {
	return &fs.PathError{Op: op, Path: filepath.Join(w.dir, reldir, base), Err: err}
}

// chmodNeeded reports whether the process's umask takes a bit of 0644
// away, so that a file made with mode 0644 must be given it again. Linux
// says the umask in /proc/self/status; elsewhere, or if it cannot be read,
// every file is chmod'ed. (unix.Umask would set it to read it, racing any
// file another goroutine makes meanwhile.)
var chmodNeeded = sync.OnceValue(func() bool {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return true
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32)
			return err != nil || mask&0o644 != 0
		}
	}
	return true
})

// lstat returns the type and size of final, relative to the writer's
// root, without following a link: with its directory's descriptor, one
// fstatat and no path to walk (a rebuild checks every output so).
func (w *writer) lstat(final string) (fs.FileMode, int64, error) {
	st, err := w.lstatRaw(final)
	if err != nil {
		return 0, 0, err
	}
	return fileModeOf(uint32(st.Mode)), st.Size, nil
}

// lstatRaw is lstat's system call, and its whole answer.
func (w *writer) lstatRaw(final string) (unix.Stat_t, error) {
	reldir, base := filepath.Dir(final), filepath.Base(final)
	var st unix.Stat_t
	fd, err := w.dirFD(reldir)
	if err != nil {
		return st, err
	}
	for {
		err = unix.Fstatat(fd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return st, w.pathError("lstat", reldir, base, err)
	}
	return st, nil
}
