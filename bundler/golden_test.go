package bundler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/manifest"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of testdata/golden/*.txtar from what the build produces")

// noEOL marks, after its name, a section whose file has no final newline
// (a source, or an output such as staticfiles.json): txtar ends every file
// with one, so the archive holds the file with a newline added, and the
// test takes it off again.
const noEOL = " (no final newline)"

// TestGolden builds each testdata/golden/*.txtar on disk and compares the
// output directory with the archive's want/ sections, file set and bytes.
//
// An archive holds assets.toml, whose output must be "out", and the
// project's files; then either a want/NAME section for every file the
// build must leave in out/ (NAME relative to out/), or a want/errors
// section with the exact diagnostics, one a line as the command prints
// them ("file:line:col: error: message", files relative to the project),
// in which case the build must write nothing. With -update the want/
// sections are rewritten from what the build produced: read the diff
// before committing it.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/golden/*.txtar")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			testGolden(t, file)
		})
	}
}

func testGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// inputs are the archive's input sections as written, for -update;
	// written are the files they stand for.
	inputs, written := &txtar.Archive{}, &txtar.Archive{}
	want := map[string][]byte{}
	for _, f := range ar.Files {
		name, data := f.Name, f.Data
		if base, ok := strings.CutSuffix(name, noEOL); ok {
			name, data = base, bytes.TrimSuffix(data, []byte("\n"))
		}
		name, ok := strings.CutPrefix(name, "want/")
		if !ok {
			written.Files = append(written.Files, txtar.File{Name: name, Data: data})
			inputs.Files = append(inputs.Files, f)
			continue
		}
		if _, dup := want[name]; dup {
			t.Fatalf("want/%s appears twice", name)
		}
		want[name] = data
	}

	dir := t.TempDir()
	if err := txtar.Write(written, dir); err != nil {
		t.Fatal(err)
	}
	got, err := buildGolden(dir)
	if err != nil {
		t.Fatal(err)
	}

	if _, failed := got["errors"]; !failed {
		checkOutputs(t, got)
	}

	if *update {
		ar.Files = inputs.Files
		for _, name := range slices.Sorted(maps.Keys(got)) {
			data := got[name]
			if !utf8.Valid(data) || txtar.NeedsQuote(data) {
				t.Fatalf("%s: output %s cannot be held in a txtar archive as is", file, name)
			}
			if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
				name, data = name+noEOL, append(slices.Clone(data), '\n')
			}
			ar.Files = append(ar.Files, txtar.File{Name: "want/" + name, Data: data})
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o666); err != nil {
			t.Fatal(err)
		}
		return
	}

	if len(want) == 0 {
		t.Fatal("no want/ sections: run with -update, and read what it writes")
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[name]
		switch {
		case !ok && name == "errors":
			t.Errorf("build succeeded; want errors:\n%s", want[name])
		case !ok:
			t.Errorf("missing output %s", name)
		case !bytes.Equal(g, want[name]):
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, g, want[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			if name == "errors" {
				t.Errorf("unexpected errors:\n%s", got[name])
			} else {
				t.Errorf("unexpected output %s", name)
			}
		}
	}
}

// buildGolden builds the project in dir and returns what is in its out/
// directory, by slash-separated name, or, when the build fails, the
// diagnostics under the name "errors" (and then out/ must not exist).
func buildGolden(dir string) (map[string][]byte, error) {
	p, err := bundler.Load(bundler.Options{Config: filepath.Join(dir, "assets.toml")})
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "out")
	_, err = p.Build(context.Background())
	var list bundler.ErrorList
	if errors.As(err, &list) {
		var b strings.Builder
		for _, d := range list {
			pos := d.Pos
			if rel, err := filepath.Rel(dir, pos.File); err == nil && filepath.IsAbs(pos.File) {
				pos.File = filepath.ToSlash(rel)
			}
			// A message naming another file names it as the config's
			// path was given: here, under dir.
			msg := strings.ReplaceAll(d.Message, dir+string(filepath.Separator), "")
			b.WriteString(pos.String() + ": " + d.Severity.String() + ": " + msg + "\n")
		}
		if _, err := os.Lstat(out); !errors.Is(err, fs.ErrNotExist) {
			return nil, errors.New("a build that failed left an output directory")
		}
		return map[string][]byte{"errors": []byte(b.String())}, nil
	}
	if err != nil {
		return nil, err
	}
	return readTree(out)
}

// readTree returns the regular files under dir by slash-separated name.
// Anything else (a directory is fine) is an error.
func readTree(dir string) (map[string][]byte, error) {
	// Read as a server reads it: through the output's link, when it is one.
	fsys := os.DirFS(dir)
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return errors.New(p + ": not a regular file")
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = data
		return nil
	})
	return files, err
}

// checkOutputs checks what every output directory must hold, whatever the
// archive says, so that -update cannot bless a broken build: each
// manifest entry names a file whose name is [manifest.HashedPath] of its
// [manifest.ContentHash], with the right size and [manifest.Integrity]; a plain copy, when there is one, holds the same bytes;
// nothing else is in the directory; and staticfiles.json, when there is
// one, maps the same names, with Django's hash for version "1.1".
func checkOutputs(t *testing.T, files map[string][]byte) {
	t.Helper()
	var m struct {
		Version int
		URL     string
		Files   map[string]struct {
			Path      string
			Size      int
			Integrity string
		}
	}
	if err := json.Unmarshal(files[manifest.FileName], &m); err != nil {
		t.Errorf("%s: %v", manifest.FileName, err)
		return
	}
	known := map[string]bool{manifest.FileName: true, manifest.DjangoFileName: true}
	paths := map[string]string{}
	// The files of a reference cycle share one hash, over all of them.
	shared := map[string]int{}
	for _, e := range m.Files {
		if _, hash, ok := manifest.SplitHashed(e.Path); ok {
			shared[hash]++
		}
	}
	for name, e := range m.Files {
		paths[name] = e.Path
		known[name], known[e.Path] = true, true
		logical, hash, ok := manifest.SplitHashed(e.Path)
		if !ok || logical != name {
			t.Errorf("%s: path %q is not a hashed name of it", name, e.Path)
			continue
		}
		data, ok := files[e.Path]
		if !ok {
			t.Errorf("%s: %s not written", name, e.Path)
			continue
		}
		if h := manifest.ContentHash(data); h != hash && shared[hash] == 1 {
			t.Errorf("%s: hash in name %s, of the bytes %s", e.Path, hash, h)
		}
		if want := manifest.Integrity(data); e.Integrity != want || e.Size != len(data) {
			t.Errorf("%s: size %d integrity %s; want %d %s", name, e.Size, e.Integrity, len(data), want)
		}
		if plain, ok := files[name]; ok && !bytes.Equal(plain, data) {
			t.Errorf("%s differs from %s", name, e.Path)
		}
	}
	for name := range files {
		if !known[name] {
			t.Errorf("%s is in the output directory but not in the manifest", name)
		}
	}
	data, ok := files[manifest.DjangoFileName]
	if !ok {
		return
	}
	var dj struct {
		Paths   map[string]string
		Version string
		Hash    *string
	}
	if err := json.Unmarshal(data, &dj); err != nil {
		t.Errorf("%s: %v", manifest.DjangoFileName, err)
		return
	}
	if !maps.Equal(dj.Paths, paths) {
		t.Errorf("%s: paths %v; the manifest's are %v", manifest.DjangoFileName, dj.Paths, paths)
	}
	switch {
	case dj.Version == "1.0" && dj.Hash != nil:
		t.Errorf("%s: version 1.0 with a hash", manifest.DjangoFileName)
	case dj.Version == "1.1" && (dj.Hash == nil || *dj.Hash != manifest.DjangoHash(paths)):
		t.Errorf("%s: hash %v, want %s", manifest.DjangoFileName, dj.Hash, manifest.DjangoHash(paths))
	case dj.Version != "1.0" && dj.Version != "1.1":
		t.Errorf("%s: version %q", manifest.DjangoFileName, dj.Version)
	}
}
