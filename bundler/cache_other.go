//go:build !unix

package bundler

import "io/fs"

// statOf says nothing here: without an inode and a change time, a stat
// cannot show a file unchanged, and the build cache trusts no entry.
func statOf(fs.FileInfo) cacheStat { return cacheStat{} }

// rawModeOf says nothing here either.
func rawModeOf(fs.FileInfo) uint32 { return 0 }
