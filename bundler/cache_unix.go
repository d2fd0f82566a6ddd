//go:build unix

package bundler

import (
	"io/fs"
	"syscall"
)

// statOf returns what the build cache compares of a file's stat: zero
// where the system says nothing of inodes and change times.
func statOf(fi fs.FileInfo) cacheStat {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return cacheStat{}
	}
	ctime, ok := ctimeOf(st)
	if !ok {
		return cacheStat{}
	}
	return cacheStat{size: fi.Size(), mtime: fi.ModTime().UnixNano(), ctime: ctime, ino: uint64(st.Ino)}
}

// rawModeOf returns the system's st_mode of a stat.
func rawModeOf(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint32(st.Mode)
	}
	return 0
}
