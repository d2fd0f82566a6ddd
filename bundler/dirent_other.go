//go:build !linux

package bundler

// syncTreeDirents leaves the work to syncTree's stats here.
func syncTreeDirents(src, dst string, skip func(name string) bool) (bool, map[string]uint64, error) {
	return false, nil, nil
}

// outputFacts returns the facts of the output out and of every file and
// directory in it.
func outputFacts(out string) ([]fact, error) { return outputFactsWalk(out) }
