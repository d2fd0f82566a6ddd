//go:build !linux

package bundler

import "os"

// dirFDs stats by path here.
type dirFDs struct{}

func (d *dirFDs) close() {}

// statFile stats abs, links followed, and returns its fact and the
// index's view of it; the fact's inode is 0 where the system has none.
func (d *dirFDs) statFile(abs string) (fact, cacheStat, error) {
	fi, err := os.Stat(abs)
	if err != nil {
		return fact{}, cacheStat{}, err
	}
	f, _ := factOf(abs, factStat, fi, nil)
	f.Path, f.Kind = abs, factStat
	return f, statOf(fi), nil
}
