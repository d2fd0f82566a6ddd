package django

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/stapler-build/stapler/manifest"
)

// TestAgreesWithGo goes beyond the table's rows: it makes manifests of
// random names (cases that fold in Unicode's odd ways, quotes, &, spaces,
// non-ASCII) whose entries import and style each other at random, cycles
// included, asks the Go package for module, asset and integrity of names
// in them and of names near them (a letter changed, dropped or doubled, the
// case flipped, the directory changed), and has tests/agree.py ask the
// Python port the same: every answer and every error message must be the
// same. The seed is fixed, so a failure comes back on every run.
func TestAgreesWithGo(t *testing.T) {
	readSources(t)
	python, _ := testenv.Django(t)
	r := rand.New(rand.NewPCG(14, 2))
	type lookup struct {
		Func  string `json:"func"`
		Name  string `json:"name"`
		Want  string `json:"want"`
		Error string `json:"error"`
	}
	type round struct {
		Manifest json.RawMessage `json:"manifest"`
		Lookups  []lookup        `json:"lookups"`
	}
	var rounds []round
	n := 0
	for range 40 {
		m := randomManifest(r)
		data, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(m.Files))
		for name := range m.Files {
			names = append(names, name)
		}
		var ls []lookup
		for range 60 {
			name := names[r.IntN(len(names))]
			if r.IntN(3) > 0 {
				name = mutate(r, name, names)
			}
			for _, f := range []string{"module", "url", "integrity"} {
				var got string
				var err error
				switch f {
				case "module":
					got, err = module(m, name)
				case "url":
					got, err = m.URL(name)
				case "integrity":
					got, err = m.Integrity(name)
				}
				l := lookup{Func: f, Name: name, Want: got}
				if err != nil {
					l.Error = err.Error()
				}
				ls = append(ls, l)
			}
		}
		n += len(ls)
		rounds = append(rounds, round{data, ls})
	}
	data, err := json.Marshal(rounds)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "rounds.json")
	if err := os.WriteFile(file, data, 0o666); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join("tests", "agree.py"), file)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tests/agree.py: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("%d lookups agree\n", n); string(out) != want {
		t.Errorf("tests/agree.py printed %q, want %q", out, want)
	}
	t.Logf("%d lookups in %d manifests: Go and Python agree", n, len(rounds))
}

// module is the module template function's output for name, or its
// LookupError.
func module(m *manifest.Manifest, name string) (string, error) {
	tmpl := template.Must(template.New("").Funcs(m.FuncMap()).Parse(`{{ module . }}`))
	var out strings.Builder
	if err := tmpl.Execute(&out, name); err != nil {
		var le *manifest.LookupError
		if errors.As(err, &le) {
			return "", le
		}
		return "", err
	}
	return out.String(), nil
}

// pieces are what random names are made of: ASCII, what HTML and URLs
// escape, and letters whose case folds unevenly (ß and ẞ, the Kelvin sign
// K and k, long s ſ, dotted İ, titlecase ǅ, the Ohm sign Ω and ω, σ ς Σ).
var pieces = []string{"a", "b", "c", "x", "app", "site", "Main", "LOGO", "e", "é", "É",
	"ß", "ẞ", "K", "k", "ſ", "s", "İ", "i", "ǅ", "Ǆ", "ǆ", "Ω", "ω", "ς", "σ", "Σ",
	" ", "&", "\"", "'", "<", "%", "?", "#", "+", "-", "_", "~", "日本"}

func randomName(r *rand.Rand) string {
	var elems []string
	for range 1 + r.IntN(3) {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		elems = append(elems, b.String())
	}
	exts := []string{".js", ".css", ".CSS", ".png", ".woff2", ""}
	return strings.Join(elems, "/") + exts[r.IntN(len(exts))]
}

// randomManifest makes a manifest of 5 to 30 random files, some scripts
// importing and styling others at random.
func randomManifest(r *rand.Rand) *manifest.Manifest {
	prefixes := []string{"/static/", "https://cdn.example.com/a&\"b/", "/", "/s p/"}
	m := &manifest.Manifest{Prefix: prefixes[r.IntN(len(prefixes))], Files: map[string]manifest.Entry{}}
	var names []string
	for range 5 + r.IntN(26) {
		name := randomName(r)
		if _, ok := m.Files[name]; ok || name == "." {
			continue
		}
		names = append(names, name)
		e := manifest.Entry{Path: name + ".1"}
		if r.IntN(4) > 0 {
			e.Integrity = manifest.Integrity([]byte(name))
		}
		m.Files[name] = e
	}
	pick := func() []string {
		var l []string
		for range r.IntN(4) {
			l = append(l, names[r.IntN(len(names))])
		}
		return l
	}
	for _, name := range names {
		e := m.Files[name]
		e.Imports, e.DynamicImports, e.CSS = pick(), pick(), pick()
		m.Files[name] = e
	}
	return m
}

// mutate returns a name near name: a typo, another case, another
// directory, or one of the other names with a piece added.
func mutate(r *rand.Rand, name string, names []string) string {
	rs := []rune(name)
	switch r.IntN(6) {
	case 0: // a rune changed
		i := r.IntN(len(rs))
		rs[i] = []rune(pieces[r.IntN(len(pieces))])[0]
	case 1: // a rune dropped
		i := r.IntN(len(rs))
		rs = append(rs[:i], rs[i+1:]...)
	case 2: // a rune doubled
		i := r.IntN(len(rs))
		rs = append(rs[:i+1], rs[i:]...)
	case 3: // the case flipped
		if r.IntN(2) == 0 {
			return strings.ToUpper(name)
		}
		return strings.ToLower(name)
	case 4: // moved
		return randomName(r)[:0] + pieces[r.IntN(len(pieces))] + "/" + name[strings.LastIndex(name, "/")+1:]
	default:
		return names[r.IntN(len(names))] + pieces[r.IntN(len(pieces))]
	}
	return string(rs)
}
