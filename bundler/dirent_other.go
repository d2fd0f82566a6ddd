//go:build !linux

package bundler

import "errors"

// syncTreeDirents leaves the work to syncTree's stats here.
func syncTreeDirents(src, dst string, skip func(name string) bool, names bool) (bool, map[string]uint64, map[uint64]bool, error) {
	return false, nil, nil, nil
}

// outputFacts returns the facts of the output out and of every file and
// directory in it.
func outputFacts(out string, _ func(ino uint64) (fact, bool)) ([]fact, error) {
	return outputFactsWalk(out)
}

// lstatFact is not needed here: no sync says what it carried.
func (w *writer) lstatFact(string) (fact, error) { return fact{}, errors.ErrUnsupported }

// outputFactsFrom leaves the facts to a listing (see the Linux version).
func outputFactsFrom(string, []fact, []string, func(uint64) (fact, bool)) ([]fact, bool) {
	return nil, false
}
