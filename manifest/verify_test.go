package manifest

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// deployed returns an output directory as a build writes it: hashed files,
// plain copies, both manifests.
func deployed(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	m := &Manifest{Version: 1, Prefix: "/static/", Files: map[string]Entry{}}
	for name, content := range files {
		data := []byte(content)
		p := HashedPath(name, ContentHash(data))
		m.Files[name] = Entry{Path: p, Size: int64(len(data)), Integrity: Integrity(data)}
		fsys[p] = &fstest.MapFile{Data: data}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	fsys[FileName] = &fstest.MapFile{Data: data}
	dj, err := m.MarshalDjango("1.1")
	if err != nil {
		t.Fatal(err)
	}
	fsys[DjangoFileName] = &fstest.MapFile{Data: dj}
	return fsys
}

func TestVerify(t *testing.T) {
	files := map[string]string{"css/a.css": ".a{}", "img/b.png": "png", ".htaccess": "x"}
	pathOf := func(fsys fstest.MapFS, name string) string {
		m, err := Parse(fsys[FileName].Data)
		if err != nil {
			t.Fatal(err)
		}
		return m.Files[name].Path
	}
	tests := []struct {
		name   string
		change func(fsys fstest.MapFS)
		want   []string // each problem, "field: message"; nil for none
		is     error
	}{
		{"as built", func(fstest.MapFS) {}, nil, nil},
		{"a hashed file gone", func(fsys fstest.MapFS) { delete(fsys, pathOf(fsys, "img/b.png")) },
			[]string{`img/b.\w+.png: missing (for "img/b.png")`}, ErrMissingFile},
		{"a hashed file changed", func(fsys fstest.MapFS) { fsys[pathOf(fsys, "css/a.css")].Data = []byte(".b{}") },
			[]string{
				`css/a.\w+.css: does not match the manifest: integrity sha384-\S+, the manifest says sha384-\S+`,
				`css/a.\w+.css: does not match the manifest: its bytes hash to \w+`,
				`css/a.css: does not match the manifest: the plain copy differs from css/a.\w+.css`,
			}, ErrFileMismatch},
		{"a shorter file", func(fsys fstest.MapFS) { fsys[pathOf(fsys, "img/b.png")].Data = []byte("pn") },
			[]string{
				`img/b.\w+.png: does not match the manifest: 2 bytes, the manifest says 3`,
				`img/b.\w+.png: does not match the manifest: integrity sha384-\S+, the manifest says sha384-\S+`,
				`img/b.\w+.png: does not match the manifest: its bytes hash to \w+`,
				`img/b.png: does not match the manifest: the plain copy differs from img/b.\w+.png`,
			}, ErrFileMismatch},
		{"a plain copy changed", func(fsys fstest.MapFS) { fsys["img/b.png"].Data = []byte("old") },
			[]string{`img/b.png: does not match the manifest: the plain copy differs from img/b.\w+.png`}, ErrFileMismatch},
		{"Django's manifest from another build", func(fsys fstest.MapFS) {
			other := deployed(t, map[string]string{"css/a.css": ".z{}", "img/c.png": "png"})
			fsys[DjangoFileName] = other[DjangoFileName]
		}, []string{
			`staticfiles.json: the manifests disagree: ".htaccess" is missing from it`,
			`staticfiles.json: the manifests disagree: "css/a.css" is "css/a.\w+.css" in it, "css/a.\w+.css" in stapler-manifest.json`,
			`staticfiles.json: the manifests disagree: "img/b.png" is missing from it`,
			`staticfiles.json: the manifests disagree: "img/c.png" is only in it`,
		}, ErrManifestsDisagree},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := deployed(t, files)
			tt.change(fsys)
			m, err := Verify(fsys)
			if m == nil {
				t.Fatalf("Verify returned no manifest: %v", err)
			}
			var list ErrorList
			if err != nil && !errors.As(err, &list) {
				t.Fatalf("Verify: %v, want an ErrorList", err)
			}
			if len(list) != len(tt.want) {
				t.Fatalf("Verify found %d problems, want %d:\n%v", len(list), len(tt.want), list)
			}
			for i, e := range list {
				if !match(tt.want[i], e.Error()) {
					t.Errorf("problem %d:\n%s\nwant\n%s", i, e, tt.want[i])
				}
				if !errors.Is(e, tt.is) {
					t.Errorf("problem %d is not %v", i, tt.is)
				}
			}
		})
	}
}

// match reports whether s matches pattern, where \w+ and \S+ stand for
// runs of word and non-space characters and everything else is literal.
func match(pattern, s string) bool {
	for pattern != "" {
		switch {
		case strings.HasPrefix(pattern, `\w+`), strings.HasPrefix(pattern, `\S+`):
			word := pattern[1] == 'w'
			pattern = pattern[3:]
			n := 0
			for n < len(s) && (word && (s[n] == '_' || 'a' <= s[n] && s[n] <= 'z' || '0' <= s[n] && s[n] <= '9' || 'A' <= s[n] && s[n] <= 'Z') || !word && s[n] != ' ' && s[n] != ',') {
				n++
			}
			if n == 0 {
				return false
			}
			s = s[n:]
		case s == "" || pattern[0] != s[0]:
			return false
		default:
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}

func TestVerifyManifests(t *testing.T) {
	// Only Django's manifest: its paths must exist.
	fsys := deployed(t, map[string]string{"a.css": "a"})
	delete(fsys, FileName)
	if _, err := Verify(fsys); err != nil {
		t.Errorf("Django's manifest alone: %v", err)
	}
	m, _ := Load(fsys, DjangoFileName)
	delete(fsys, m.Files["a.css"].Path)
	if _, err := Verify(fsys); !errors.Is(err, ErrMissingFile) {
		t.Errorf("Django's manifest naming a missing file: %v", err)
	}
	// No manifest; a manifest that does not parse.
	if _, err := Verify(fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "no stapler-manifest.json or staticfiles.json") {
		t.Errorf("no manifest: %v", err)
	}
	if m, err := Verify(fstest.MapFS{FileName: {Data: []byte("{")}}); m != nil || !errors.Is(err, ErrSyntax) {
		t.Errorf("a broken manifest: %v, %v", m, err)
	}
}
