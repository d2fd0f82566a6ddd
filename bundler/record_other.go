//go:build !linux

package bundler

import "os"

// sameFacts reports whether each fact of a list sorted by path holds.
func sameFacts(facts []fact, held []bool, all bool) bool { return sameFactsOS(facts, held, all) }

// readFile leaves name to be read the usual way.
func (t *tracedFS) readFile(string) ([]byte, error, bool) { return nil, nil, false }

// sameFactsOS reports whether each fact of a list sorted by path holds, with
// os.Stat and os.Lstat (see record_linux.go for Linux's).
func sameFactsOS(facts []fact, held []bool, all bool) bool {
	same := true
	for i, f := range facts {
		if now, ok := f.take(); !ok || !now.sameStat(f) {
			if !all {
				return false
			}
			same = false
			continue
		}
		if held != nil {
			held[i] = true
		}
	}
	return same
}

// take stats f's path again, as f's kind says, and returns what it says
// now.
func (f fact) take() (fact, bool) {
	if f.Kind == factLstat {
		fi, err := os.Lstat(f.Path)
		return factOf(f.Path, factLstat, fi, err)
	}
	fi, err := os.Stat(f.Path)
	return factOf(f.Path, factStat, fi, err)
}
