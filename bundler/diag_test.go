package bundler

import "testing"

// TestErrorListSort guards Sort called as a statement, as go/scanner's
// is: it once compacted a copy of the slice header, leaving nil entries
// where the repeats had been.
func TestErrorListSort(t *testing.T) {
	a := &Diagnostic{Pos: Position{File: "a.toml", Line: 2, Col: 1}, Message: "second"}
	b := &Diagnostic{Pos: Position{File: "a.toml", Line: 1, Col: 1}, Message: "first"}
	repeat := *a
	l := ErrorList{a, b, &repeat}
	l.Sort()
	if len(l) != 2 || l[0] != b || l[1] != a {
		t.Fatalf("Sort: got %v, want [first second]", l)
	}
	orig := ErrorList{a, b, &repeat}
	err := orig.Err()
	if got := err.(ErrorList); len(got) != 2 || got[0] != b {
		t.Errorf("Err: got %v, want the two sorted", got)
	}
	for i, d := range orig {
		if d == nil {
			t.Errorf("Err left a nil at %d of its receiver", i)
		}
	}
}
