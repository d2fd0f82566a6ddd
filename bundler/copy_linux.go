package bundler

import (
	"golang.org/x/sys/unix"
)

// copyFrom makes base in the directory reldir a copy of from's file,
// copied by the kernel (copy_file_range), when that file still has
// from's stat before and after the copy. It reports false, having left
// nothing, when it does not, or when the file systems cannot copy so:
// the caller then writes the file itself.
func (w *writer) copyFrom(reldir, base string, from *copySource) (bool, error) {
	src, err := openFile(from.abs)
	if err != nil {
		return false, nil // the read that follows reports it
	}
	defer unix.Close(src)
	if !from.holds(src) {
		return false, nil
	}
	fd, nfd, err := w.createFile(reldir, base)
	if err != nil {
		return false, err
	}
	copied, err := copyRange(src, nfd, from.stat.size)
	// Changed while it was copied: its bytes may be neither the old nor
	// the new ones.
	copied = copied && from.holds(src)
	if err == nil && copied && chmodNeeded() {
		err = unix.Fchmod(nfd, 0o644)
	}
	if cerr := unix.Close(nfd); err == nil {
		err = cerr
	}
	if err != nil || !copied {
		unix.Unlinkat(fd, base, 0)
		if err != nil {
			return false, w.pathError("write", reldir, base, err)
		}
		return false, nil
	}
	return true, nil
}

// openFile opens the file at abs to read, links followed.
func openFile(abs string) (int, error) {
	for {
		fd, err := unix.Open(abs, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// holds reports whether the open file fd has the stat of c.
func (c *copySource) holds(fd int) bool {
	var st unix.Stat_t
	var err error = unix.EINTR
	for err == unix.EINTR {
		err = unix.Fstat(fd, &st)
	}
	if err != nil {
		return false
	}
	return cacheStatOf(&st) == c.stat
}

// copyRange copies the first n bytes of src to dst, at its start, in the
// kernel. It reports false when src has fewer, or when the file systems
// cannot copy between them so (another kind, another device, an old
// kernel): the caller writes dst itself. Any other error is the write's.
func copyRange(src, dst int, n int64) (bool, error) {
	for n > 0 {
		c, err := unix.CopyFileRange(src, nil, dst, nil, int(min(n, 1<<30)), 0)
		switch err {
		case nil:
		case unix.EINTR:
			continue
		case unix.EXDEV, unix.ENOSYS, unix.EINVAL, unix.EOPNOTSUPP, unix.EBADF, unix.EPERM:
			return false, nil
		default:
			return false, err
		}
		if c == 0 {
			return false, nil // shorter than its stat said
		}
		n -= int64(c)
	}
	return true, nil
}
