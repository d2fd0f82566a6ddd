package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/internal/testenv"
)

// trickyNames are logical names whose encoding differs between Go's and
// Python's JSON, each in a manifest of its own and all together.
var trickyNames = []string{
	"css/app.css",
	"café/ü.css",        // non-ASCII: \u00e9, lowercase hex
	"icons/😀.svg",       // astral plane: a surrogate pair
	"x/\u2028\u00a0.js", // U+2028, which Go escapes as such, and NBSP
	`quo"te.css`,
	`back\slash.css`,                    // stapler rejects it; checked without MarshalDjango
	"tab\there\n\r\b\f\x01\x1f\x7f.css", // short escapes, \u00XX, DEL
	"<>&.js",                            // not escaped by Python
	"a%20b.css",
	"a b/c'd.css",
	"z/~.css",
}

// djangoPython computes, with the real json module, what Django writes for
// paths, mirroring ManifestFilesMixin.save_manifest. The input arrives as
// JSON on stdin so that every name reaches Python intact.
const djangoPython = `
import hashlib, json, sys
out = sys.stdout.buffer
for paths in json.load(sys.stdin):
    h = hashlib.md5(json.dumps(sorted(paths.items())).encode()).hexdigest()[:12]
    paths = dict(sorted(paths.items()))
    out.write(json.dumps({"paths": paths, "version": "1.0"}).encode() + b"\n")
    out.write(json.dumps({"paths": paths, "version": "1.1", "hash": h}).encode() + b"\n")
    out.write(h.encode() + b"\n")
`

func hashedName(name string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + ".0123456789ab" + ext
}

func manifestOf(names ...string) *Manifest {
	m := &Manifest{Prefix: "/static/", Files: make(map[string]Entry)}
	for _, name := range names {
		m.Files[name] = Entry{Path: hashedName(name)}
	}
	return m
}

func TestMarshalDjangoMatchesPython(t *testing.T) {
	python := testenv.Command(t, "python3")
	var cases []*Manifest
	for _, name := range trickyNames {
		cases = append(cases, manifestOf(name))
	}
	cases = append(cases, manifestOf(trickyNames...), manifestOf())
	var valid []string
	for _, name := range trickyNames {
		if checkPath(name) == nil {
			valid = append(valid, name)
		}
	}
	if len(valid) != len(trickyNames)-1 {
		t.Fatalf("names stapler accepts: %q", valid)
	}
	cases = append(cases, manifestOf(valid...))
	var input []map[string]string
	for _, m := range cases {
		input = append(input, m.Paths())
	}
	stdin, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", djangoPython)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", python, err)
	}
	// json.dumps with ensure_ascii never writes a raw newline.
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 3*len(cases) {
		t.Fatalf("python wrote %d lines, want %d:\n%s", len(lines), 3*len(cases), out)
	}
	for i, m := range cases {
		want10, want11, wantHash := lines[3*i], lines[3*i+1], lines[3*i+2]
		for _, c := range []struct{ version, want string }{{"1.0", want10}, {"1.1", want11}} {
			if got := djangoJSON(m.Paths(), c.version); string(got) != c.want {
				t.Errorf("djangoJSON(%q, %q):\n got %s\nwant %s", m.Paths(), c.version, got, c.want)
			}
			if m.validate() != nil {
				continue // a name stapler rejects, such as one with a backslash
			}
			got, err := m.MarshalDjango(c.version)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("MarshalDjango(%q) of %q:\n got %s\nwant %s", c.version, m.Paths(), got, c.want)
			}
			paths, version, err := ParseDjango(got)
			if err != nil {
				t.Errorf("ParseDjango(MarshalDjango(%q)): %v", c.version, err)
			} else if version != c.version || !reflect.DeepEqual(paths, m.Paths()) {
				t.Errorf("ParseDjango(MarshalDjango(%q)) = %q, %q; want %q", c.version, paths, version, m.Paths())
			}
		}
		if got := DjangoHash(m.Paths()); got != wantHash {
			t.Errorf("DjangoHash(%q) = %s, want %s", m.Paths(), got, wantHash)
		}
	}
}

func TestDjangoHash(t *testing.T) {
	// Computed by hand with Python 3.11:
	// hashlib.md5(json.dumps(sorted(paths.items())).encode()).hexdigest()[:12]
	for _, tc := range []struct {
		name  string
		paths map[string]string
		want  string
	}{
		{"ascii", map[string]string{
			"css/app.css": "css/app.3d5a6b2c1e9f.css",
			"js/app.js":   "js/app.8b1a9953c461.js",
		}, "f9d8d814c367"},
		{"non-ASCII and astral names", map[string]string{
			"café/ü.css": "café/ü.0123456789ab.css",
			"😀.js":       "😀.ba9876543210.js",
		}, "667a6bd14f46"},
		{"empty, json.dumps([])", map[string]string{}, "d75171398898"},
	} {
		if got := DjangoHash(tc.paths); got != tc.want {
			t.Errorf("%s: DjangoHash = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestMarshalDjangoGolden(t *testing.T) {
	m := manifestOf("js/app.js", "café/ü.css")
	for version, want := range map[string]string{
		"1.0": `{"paths": {"caf\u00e9/\u00fc.css": "caf\u00e9/\u00fc.0123456789ab.css", "js/app.js": "js/app.0123456789ab.js"}, "version": "1.0"}`,
		"1.1": `{"paths": {"caf\u00e9/\u00fc.css": "caf\u00e9/\u00fc.0123456789ab.css", "js/app.js": "js/app.0123456789ab.js"}, "version": "1.1", "hash": "` + DjangoHash(m.Paths()) + `"}`,
	} {
		got, err := m.MarshalDjango(version)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("MarshalDjango(%q):\n got %s\nwant %s", version, got, want)
		}
	}
	for _, version := range []string{"", "1", "1.2", "2.0"} {
		if _, err := m.MarshalDjango(version); !errors.Is(err, ErrVersion) {
			t.Errorf("MarshalDjango(%q) error = %v, want %v", version, err, ErrVersion)
		}
	}
}

func TestParseDjango(t *testing.T) {
	paths := map[string]string{"css/app.css": "css/app.3d5a6b2c1e9f.css", "js/app.js": "js/app.8b1a9953c461.js"}
	for _, tc := range []struct {
		name, data, version string
	}{
		// As Django 3.2 writes it, in the order Python's dict had.
		{"1.0", `{"paths": {"js/app.js": "js/app.8b1a9953c461.js", "css/app.css": "css/app.3d5a6b2c1e9f.css"}, "version": "1.0"}`, "1.0"},
		// As Django 4.2+ writes it.
		{"1.1", `{"paths": {"js/app.js": "js/app.8b1a9953c461.js", "css/app.css": "css/app.3d5a6b2c1e9f.css"}, "version": "1.1", "hash": "f9d8d814c367"}`, "1.1"},
		{"1.1 reformatted", "{\n \"version\": \"1.1\",\n \"hash\": \"f9d8d814c367\",\n \"paths\": {\"js/app.js\": \"js/app.8b1a9953c461.js\", \"css/app.css\": \"css/app.3d5a6b2c1e9f.css\"}\n}\n", "1.1"},
	} {
		got, version, err := ParseDjango([]byte(tc.data))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if version != tc.version || !reflect.DeepEqual(got, paths) {
			t.Errorf("%s: ParseDjango = %q, %q; want %q, %q", tc.name, got, version, paths, tc.version)
		}
	}
}

func TestParseDjangoRejects(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		is         error
		want       string
	}{
		{"wrong hash", `{"paths": {"a.css": "a.1.css"}, "version": "1.1", "hash": "000000000000"}`, ErrHashMismatch,
			`hash: hash mismatch: "000000000000", but the paths hash to "` + DjangoHash(map[string]string{"a.css": "a.1.css"}) + `"`},
		{"1.1 without hash", `{"paths": {}, "version": "1.1"}`, ErrSchema,
			`invalid manifest: missing field "hash", which version 1.1 has`},
		{"1.0 with hash", `{"paths": {}, "version": "1.0", "hash": "d75171398898"}`, ErrSchema,
			`hash: invalid manifest: version 1.0 has no hash`},
		{"version 2.0", `{"paths": {}, "version": "2.0"}`, ErrVersion,
			`version: unsupported version "2.0", want "1.0" or "1.1"`},
		{"numeric version", `{"paths": {}, "version": 1.0}`, ErrSchema,
			`version: invalid manifest: number, want string`},
		{"missing version", `{"paths": {}}`, ErrSchema,
			`invalid manifest: missing field "version"`},
		{"missing paths", `{"version": "1.0"}`, ErrSchema,
			`invalid manifest: missing field "paths"`},
		{"unknown field", `{"paths": {}, "version": "1.0", "url": "/static/"}`, ErrSchema,
			`invalid manifest: unknown field "url"`},
		{"path not a string", `{"paths": {"a.css": null}, "version": "1.0"}`, ErrSchema,
			`paths["a.css"]: invalid manifest: null, want string`},
		{"duplicate name", `{"paths": {"a.css": "a.1.css", "a.css": "a.2.css"}, "version": "1.0"}`, ErrSchema,
			`paths: invalid manifest: duplicate key "a.css"`},
		{"escaping path", `{"paths": {"a.css": "../a.1.css"}, "version": "1.0"}`, ErrBadPath,
			`paths["a.css"]: bad path "../a.1.css": contains ".."`},
		{"not JSON", `{"paths": {}, "version": "1.0"`, ErrSyntax,
			`syntax error: line 1, column 31: unexpected end of input`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			paths, version, err := ParseDjango([]byte(tc.data))
			if err == nil {
				t.Fatalf("ParseDjango = %q, %q; want an error", paths, version)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %q", err, tc.is)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tc.want)
			}
		})
	}
}

// TestDjangoLoadsManifest has the real Django read what MarshalDjango
// writes, through testdata/django_load.py.
func TestDjangoLoadsManifest(t *testing.T) {
	python, djangoVersion := testenv.Django(t)
	var major, minor int
	if _, err := fmt.Sscanf(djangoVersion, "%d.%d", &major, &minor); err != nil {
		t.Fatalf("Django version %q: %v", djangoVersion, err)
	}
	format := "1.0" // all Django 3.2 reads
	if major > 4 || major == 4 && minor >= 2 {
		format = "1.1"
	}
	t.Logf("Django %s, manifest version %s", djangoVersion, format)

	root := t.TempDir()
	names := []string{"css/app.css", "js/app.js", "café/ü.css", "img/logo.png"}
	m := manifestOf(names...)
	for _, e := range m.Files {
		file := filepath.Join(root, filepath.FromSlash(e.Path))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(e.Path), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := m.MarshalDjango(format)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, DjangoFileName), data, 0o644); err != nil {
		t.Fatal(err)
	}

	load := func(names ...string) (stdout, stderr string, err error) {
		cmd := exec.Command(python, append([]string{filepath.Join("testdata", "django_load.py"), root}, names...)...)
		var o, e strings.Builder
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		return o.String(), e.String(), err
	}

	t.Run("loads", func(t *testing.T) {
		stdout, stderr, err := load(names...)
		if err != nil {
			t.Fatalf("django_load.py: %v\n%s%s", err, stdout, stderr)
		}
		var want strings.Builder
		for _, name := range names {
			want.WriteString(name + " -> " + m.Prefix + m.Files[name].Path + "\n")
		}
		if stdout != want.String() {
			t.Errorf("django_load.py printed:\n%s\nwant:\n%s", stdout, want.String())
		}
	})
	t.Run("missing name", func(t *testing.T) {
		stdout, stderr, err := load("css/app.css", "css/missing.css")
		if err == nil {
			t.Fatalf("django_load.py succeeded for a name missing from the manifest:\n%s", stdout)
		}
		if want := "Missing staticfiles manifest entry for 'css/missing.css'"; !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, want)
		}
	})
}
