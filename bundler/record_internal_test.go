package bundler

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/manifest"
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

// TestPrevPaths: a rebuild after a change takes the paths of the manifest
// in place from the previous build's record while the file is as that
// build left it, and they are what a parse gives; a manifest rewritten
// since, even with the same bytes, is parsed.
func TestPrevPaths(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"assets.toml":      "output = \"out\"\n[[root]]\npath = \"static\"\n[bundle.css]\noutput = \"all.css\"\nsources = [\"css/*.css\"]\n",
		"static/css/a.css": "a { background: url(../img/x.png) }\n",
		"static/img/x.png": "png",
	} {
		writeFile(t, filepath.Join(dir, name), text)
	}
	// A relative config, as on the command line: the record names the
	// output's files by absolute path.
	t.Chdir(dir)
	load := func() *Project {
		t.Helper()
		p, err := Load(Options{Config: "assets.toml", Cache: true, racyWindow: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Two builds: the second keeps the first's manifest in the history,
	// and its own there too, as a second name of the manifest in place.
	for _, color := range []string{"red", "blue"} {
		if err := os.WriteFile(filepath.Join(dir, "static/css/b.css"), []byte("b { color: "+color+" }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := load().Build(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "static/img/x.png"), []byte("PNG!"), 0o644); err != nil {
		t.Fatal(err)
	}
	manifestFile := filepath.Join(dir, "out", manifest.FileName)
	data, err := os.ReadFile(manifestFile)
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	p := load()
	if res, err := p.unchanged(context.Background()); res != nil || err != nil {
		t.Fatalf("an image changed, and the record stood for the build: %v", err)
	}
	paths, fromRecord := p.prevPaths(data)
	if !fromRecord {
		t.Errorf("the manifest is as the last build left it, and its paths were parsed")
	}
	if !maps.Equal(paths, m.Paths()) {
		t.Errorf("paths from the record %v, from a parse %v", paths, m.Paths())
	}
	// The same bytes written again: the record cannot vouch for them.
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(manifestFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	paths, fromRecord = p.prevPaths(data)
	if fromRecord || !maps.Equal(paths, m.Paths()) {
		t.Errorf("a manifest rewritten since: from the record %v, paths %v", fromRecord, paths)
	}
	// What the record does not know is parsed: nil when not a manifest.
	if paths, fromRecord := p.prevPaths([]byte("{")); paths != nil || fromRecord {
		t.Errorf("not a manifest: %v, %v", paths, fromRecord)
	}
	// And the build goes on to write the image's new name.
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if e := res.Manifest.Files["img/x.png"]; e.Path == m.Files["img/x.png"].Path {
		t.Errorf("the image kept its old name %s", e.Path)
	}
}

// TestRecordEncoding: a record reads back as it was written, its outputs
// one for each entry, by name; every truncation of it and every byte
// changed in its lengths is refused or read as some record, never a panic
// or a large allocation.
// sampleRecord returns a record with something of every kind: facts
// with and without a sum, an absent one, entries with encodings and every
// list, the counts, an unused file.
func sampleRecord() buildRecord {
	rec := buildRecord{
		Link: ".static.gen-abc",
		Manifest: &manifest.Manifest{Version: 1, Prefix: "/static/", Files: map[string]manifest.Entry{
			"css/site.css": {Path: "css/site.0123abcd.css", Size: 120, Integrity: "sha384-x", Bundle: "site",
				Sources: []string{"css/a.css", "css/b.css"}, Encodings: map[string]int64{"br": 40, "gzip": 50}},
			"css/site.css.map": {Path: "css/site.css.map", Size: 9},
			"js/app.js":        {Path: "js/app.89abcdef.js", Size: 3, Imports: []string{"js/chunk.js"}, DynamicImports: []string{"js/lazy.js"}, CSS: []string{"js/app.css"}, Assets: []string{"img/x.png"}},
			"js/chunk.js":      {Path: "js/chunk.11112222.js", Size: 0},
		}},
		Stats:  Stats{Bundles: 2, Collected: 3, Sources: 4, BytesIn: 5 << 30, BytesOut: 6, Written: 7, Templates: 8},
		Unused: []Unused{{Name: "img/y.png", Root: "static", Size: 10}},
	}
	rec.Key[0] = 1
	for i, p := range []string{"/p/static", "/p/static/css", "/p/static/css/a.css", "/p/static/css/b.css", "/p/static/img/x.png"} {
		f := fact{Path: p, Kind: factStat, Mode: 0o100644, Size: int64(i), Mtime: 1e18 + int64(i), Ctime: -1, Ino: uint64(1) << 63}
		if i == 2 {
			f.Sum, f.Content = sumFile, sha256.Sum256([]byte(p))
		}
		rec.Inputs = append(rec.Inputs, f)
	}
	rec.Inputs = append(rec.Inputs, fact{Path: "/p/static/missing.css", Kind: factAbsent})
	rec.Output = []fact{{Path: "/out/static", Kind: factStat, Ino: 9}, {Path: "/out/static/a", Kind: factLstat, Ino: 10}}
	rec.Graph = "the graph"
	rec.GraphSum, rec.hasGraph = sha256.Sum256([]byte(rec.Graph)), true
	rec.Spare = ".static.gen-xyz"
	rec.SpareDirs = []fact{{Path: "/out/.static.gen-xyz", Kind: factLstat, Mode: 0o40755, Ino: 11}}
	rec.Delta = []string{"css/", "css/a.1234.css", "img/x.png"}
	return rec
}

// readRecord reads a whole record from s.
func readRecord(s string) (buildRecord, bool) {
	var rec buildRecord
	facts, rest, ok := (&recReader{s: s}).header(&rec)
	ok = ok && facts.facts(&rec, nil) && rest.result(&rec)
	return rec, ok
}

func TestRecordEncoding(t *testing.T) {
	rec := sampleRecord()
	data := rec.encode()
	read := readRecord
	got, ok := read(string(data))
	if !ok {
		t.Fatal("the record does not read back")
	}
	want := rec
	want.Graph = "" // a file of its own: the record has its sum
	for _, name := range slices.Sorted(maps.Keys(rec.Manifest.Files)) {
		want.outputs = append(want.outputs, outputOf(name, rec.Manifest.Files[name]))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back:\n%+v\nwant:\n%+v", got, want)
	}
	for n := range len(data) {
		if _, ok := read(string(data[:n])); ok {
			t.Errorf("the record cut to %d of its %d bytes reads", n, len(data))
		}
	}
	var before, after runtime.MemStats
	// A list of paths that says they take a terabyte.
	huge := binary.AppendUvarint(binary.AppendUvarint(nil, 1), 1<<40)
	runtime.ReadMemStats(&before)
	if n, _ := (&recReader{s: string(huge) + "\x00\x01a"}).paths(1); n != 1 {
		t.Errorf("paths read %d, want 1", n)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("a length of 1 TB: reading allocated %d bytes", n)
	}
	// A list of facts that says it has as many as the record has bytes:
	// a fact takes at least minFactSize of them.
	many := string(binary.AppendUvarint(nil, 1<<16)) + strings.Repeat("\x00", 1<<16)
	r := &recReader{s: many}
	runtime.ReadMemStats(&before)
	l := r.factList()
	runtime.ReadMemStats(&after)
	if len(l) != 0 || !r.bad {
		t.Errorf("%d facts in 64 kB: read %d, bad %t", 1<<16, len(l), r.bad)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("%d facts in 64 kB: reading allocated %d bytes", 1<<16, n)
	}
	for i := range data {
		for _, b := range []byte{0, 0x7f, 0x80, 0xff} {
			mangled := slices.Clone(data)
			mangled[i] = b
			runtime.ReadMemStats(&before)
			read(string(mangled)) // must not panic
			runtime.ReadMemStats(&after)
			if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
				t.Errorf("byte %d set to %#x: reading allocated %d bytes", i, b, n)
			}
		}
	}
}

// TestRecordable: a result is recorded only when its outputs are the
// manifest's entries, one each, by name; an output the manifest tells
// otherwise, one it lacks, or an order not by name is not.
func TestRecordable(t *testing.T) {
	m := &manifest.Manifest{Files: map[string]manifest.Entry{
		"a.css": {Path: "a.11.css", Size: 2, Integrity: "sha384-a"},
		"b.js":  {Path: "b.22.js", Size: 3, Bundle: "b", Sources: []string{"x.js"}},
	}}
	good := func() []Output {
		return []Output{
			{Name: "a.css", Path: "a.11.css", Data: []byte("aa")},
			{Name: "b.js", Path: "b.22.js", Data: []byte("bbb"), Bundle: "b", Sources: []string{"x.js"}},
		}
	}
	if !recordable(&Result{Manifest: m, Outputs: good()}) {
		t.Fatal("the outputs of the manifest: not recordable")
	}
	for what, change := range map[string]func([]Output) []Output{
		"a size":       func(o []Output) []Output { o[0].Data = []byte("a"); return o },
		"a path":       func(o []Output) []Output { o[1].Path = "b.33.js"; return o },
		"sources":      func(o []Output) []Output { o[1].Sources = nil; return o },
		"an import":    func(o []Output) []Output { o[1].Imports = []string{"c.js"}; return o },
		"one more":     func(o []Output) []Output { return append(o, Output{Name: "c.js"}) },
		"one less":     func(o []Output) []Output { return o[:1] },
		"the order":    func(o []Output) []Output { o[0], o[1] = o[1], o[0]; return o },
		"a name twice": func(o []Output) []Output { o[1] = o[0]; return o },
	} {
		if recordable(&Result{Manifest: m, Outputs: change(good())}) {
			t.Errorf("outputs with %s changed: recordable", what)
		}
	}
}

// FuzzReadRecord: any bytes in the record's place are refused or read as
// a record, never a panic; and a record so read, written again, reads
// back as itself.
func FuzzReadRecord(f *testing.F) {
	rec := sampleRecord()
	f.Add(rec.encode())
	f.Add([]byte(recordFormat))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, ok := readRecord(string(data))
		if !ok {
			return
		}
		again, ok := readRecord(string(rec.encode()))
		if !ok {
			t.Fatalf("a record read from %q does not read back once written", data)
		}
		// The outputs come in the order of the names, which writing sorts.
		rec.outputs, again.outputs = nil, nil
		if !reflect.DeepEqual(rec, again) {
			t.Errorf("read from %q:\n%+v\nwritten and read again:\n%+v", data, rec, again)
		}
	})
}

// TestWorthWriting: a record is written again without its aged sums when
// checking them would cost more than the writing, and not for a file or
// two saved before the build.
func TestWorthWriting(t *testing.T) {
	files := func(n int, size int64) []*fact {
		out := make([]*fact, n)
		for i := range out {
			out[i] = &fact{Sum: sumFile, Size: size}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		aged  []*fact
		facts int
		want  bool
	}{
		{"nothing aged", nil, 8400, false},
		{"an edited stylesheet and its directory", append(files(1, 4<<10), &fact{Sum: sumDir}), 8400, false},
		{"one large file", files(1, 50<<20), 8400, true},
		{"a checkout: every file", files(4089, 6<<10), 8400, true},
		{"a small project, every file", files(5, 100), 12, true},
	} {
		if got := worthWriting(tc.aged, tc.facts); got != tc.want {
			t.Errorf("%s: worthWriting = %t, want %t", tc.name, got, tc.want)
		}
	}
}

// TestReadMapped: a file's bytes, mapped or read, are its bytes; an empty
// file, a missing one and a directory are what os.ReadFile makes of them;
// and the bytes of a mapped file outlive a rename over its name, as the
// record's and the manifests' must.
func TestReadMapped(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	want := []byte(strings.Repeat("stapler ", 1<<12)) // several pages
	if err := os.WriteFile(name, want, 0o644); err != nil {
		t.Fatal(err)
	}
	got, unmap, err := readMapped(name)
	if err != nil || string(got) != string(want) {
		t.Fatalf("readMapped = %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	replaced := filepath.Join(dir, "g")
	os.WriteFile(replaced, []byte("other bytes"), 0o644)
	if err := os.Rename(replaced, name); err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("the bytes changed with a file renamed over their name")
	}
	unmap()

	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	if got, unmap, err := readMapped(empty); err != nil || len(got) != 0 {
		t.Errorf("readMapped of an empty file = %q, %v", got, err)
	} else {
		unmap()
	}
	if _, unmap, err := readMapped(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("readMapped of a missing file: %v, want fs.ErrNotExist", err)
	} else {
		unmap() // a function, whatever the error
	}
	if _, _, err := readMapped(dir); err == nil {
		t.Error("readMapped of a directory gave no error")
	}
}

// TestPiecesEqual: pieces are equal to bytes only when, one after
// another, they are those bytes.
func TestPiecesEqual(t *testing.T) {
	b := []byte("abcdef")
	for _, tc := range []struct {
		pieces [][]byte
		want   bool
	}{
		{[][]byte{b}, true},
		{[][]byte{[]byte("ab"), nil, []byte("cdef")}, true},
		{[][]byte{[]byte("ab"), []byte("cde")}, false},   // short
		{[][]byte{[]byte("ab"), []byte("cdefg")}, false}, // long
		{[][]byte{[]byte("ab"), []byte("xdef")}, false},  // another byte
		{[][]byte{[]byte("abcdef"), []byte("")}, true},   // an empty piece at the end
		{nil, false}, // nothing, against six bytes
		{[][]byte{[]byte("abcdef"), []byte("abcdef")}, false}, // twice
	} {
		if got := piecesEqual(tc.pieces, b); got != tc.want {
			t.Errorf("piecesEqual(%q, %q) = %t, want %t", tc.pieces, b, got, tc.want)
		}
	}
	if !piecesEqual(nil, nil) {
		t.Error("no pieces are not equal to no bytes")
	}
}
