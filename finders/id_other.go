//go:build !unix

package finders

import "io/fs"

// statID reports no identity: [sameDir] falls back on os.SameFile.
func statID(fs.FileInfo) (fileID, bool) { return fileID{}, false }
