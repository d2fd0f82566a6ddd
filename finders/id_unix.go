//go:build unix

package finders

import (
	"io/fs"
	"syscall"
)

// statID returns the device and inode numbers of the file fi describes,
// when its FS reports them.
func statID(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true // the field types vary by platform
}
