package bundler

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

// TestRecordSums: a racy fact holds only when its path's content hashes
// to its sum too, as its stat cannot vouch for it: a file changed in the
// tick of its stat keeps the stat.
func TestRecordSums(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.css")
	if err := os.WriteFile(file, []byte("a {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRecorder(0)
	fi, err := os.Stat(file)
	f, ok := factOf(file, factStat, fi, err)
	if !ok {
		t.Skip("no inodes and change times here: no record")
	}
	f.Sum, f.Content = sumFile, sha256.Sum256([]byte("a {}\n"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err = os.Stat(dir)
	d, _ := factOf(dir, factStat, fi, err)
	d.Sum, d.Content = sumDir, dirSum(entries)
	if !allSame([]fact{f, d}) {
		t.Fatal("the facts do not hold of what they were taken from")
	}
	g := f
	g.Content = sha256.Sum256([]byte("b {}\n")) // what the same stat would show of other bytes
	if allSame([]fact{g}) {
		t.Errorf("a racy file fact held with another content's sum")
	}
	e := d
	e.Content[0] ^= 1
	if allSame([]fact{e}) {
		t.Errorf("a racy directory fact held with another listing's sum")
	}
	// The same file seen twice, once with its sum: the sum stays; with
	// another stat: the build cannot be recorded.
	plain := f
	plain.Sum, plain.Content = 0, [sha256.Size]byte{}
	r.add(f)
	r.add(plain)
	if got := r.facts[string(factStat)+file]; got.Sum != sumFile || r.broken != "" {
		t.Errorf("after a fact with its sum and one without: %+v, broken %q", got, r.broken)
	}
	other := plain
	other.Size++
	r.add(other)
	if r.broken == "" {
		t.Errorf("two stats of one path that differ did not break the record")
	}
}
