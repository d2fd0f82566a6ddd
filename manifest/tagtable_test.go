package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"html/template"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want and error fields of ../testdata/manifest/tags.json from what this package answers")

// tagTableFile is the table of manifests and what the module, asset and
// integrity functions answer for them, shared with the Django app's tests
// (django/tests/test_tags.py), which must give the same answers.
const tagTableFile = "../testdata/manifest/tags.json"

// tagTable is the shape of tagTableFile.
type tagTable struct {
	// Manifests are stapler manifests, by a name the cases use.
	Manifests map[string]json.RawMessage `json:"manifests"`
	// Cases are lookups: Func is "module" (the template function), "url"
	// or "integrity", of Name in the manifest called Manifest. Want is the
	// answer; Error, the error's message when there is one.
	Cases []struct {
		Row      string `json:"row"`
		Manifest string `json:"manifest"`
		Func     string `json:"func"`
		Name     string `json:"name"`
		Want     string `json:"want,omitempty"`
		Error    string `json:"error,omitempty"`
	} `json:"cases"`
	// Invalid are manifests that Parse refuses, and so must the Django
	// app; Error is the first problem Parse reports.
	Invalid []struct {
		Row      string          `json:"row"`
		Manifest json.RawMessage `json:"manifest"`
		Error    string          `json:"error,omitempty"`
	} `json:"invalid"`
}

// TestTagTable holds the functions a template calls to the table that the
// Django app's template tags are held to as well, so that {% stapler_module %}
// and {{ module }} write the same bytes for the same manifest. With -update
// it writes this package's answers into the table.
func TestTagTable(t *testing.T) {
	data, err := os.ReadFile(tagTableFile)
	if err != nil {
		t.Fatal(err)
	}
	var table tagTable
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&table); err != nil {
		t.Fatal(err)
	}
	manifests := map[string]*Manifest{}
	for name, raw := range table.Manifests {
		m, err := Parse(raw)
		if err != nil {
			t.Fatalf("manifests[%q]: %v", name, err)
		}
		manifests[name] = m
	}
	rows := map[string]bool{}
	for i := range table.Cases {
		c := &table.Cases[i]
		if rows[c.Func+": "+c.Row] {
			t.Errorf("two rows %q of %s", c.Row, c.Func)
		}
		rows[c.Func+": "+c.Row] = true
		m := manifests[c.Manifest]
		if m == nil {
			t.Fatalf("%s: no manifest %q", c.Row, c.Manifest)
		}
		var got string
		var err error
		switch c.Func {
		case "module":
			got, err = executeModule(m, c.Name)
		case "url":
			got, err = m.URL(c.Name)
		case "integrity":
			got, err = m.Integrity(c.Name)
		default:
			t.Fatalf("%s: unknown func %q", c.Row, c.Func)
		}
		var gotErr string
		if err != nil {
			gotErr = err.Error()
		}
		if *update {
			c.Want, c.Error = got, gotErr
			continue
		}
		if got != c.Want || gotErr != c.Error {
			t.Errorf("%s %q (%s): got %q, error %q\nwant %q, error %q", c.Func, c.Name, c.Row, got, gotErr, c.Want, c.Error)
		}
	}
	for i := range table.Invalid {
		c := &table.Invalid[i]
		_, err := Parse(c.Manifest)
		if err == nil {
			t.Errorf("invalid %q: Parse accepts it", c.Row)
			continue
		}
		var list ErrorList
		if !errors.As(err, &list) {
			t.Errorf("invalid %q: %v, not an ErrorList", c.Row, err)
			continue
		}
		if *update {
			c.Error = list[0].Error()
		} else if list[0].Error() != c.Error {
			t.Errorf("invalid %q: Parse says %q, the table %q", c.Row, list[0].Error(), c.Error)
		}
	}
	if *update {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(&table); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(tagTableFile, buf.Bytes(), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

// executeModule runs {{ module name }} as a template does, and returns
// the LookupError itself when it fails, without the template's position.
func executeModule(m *Manifest, name string) (string, error) {
	tmpl := template.Must(template.New("page").Funcs(m.FuncMap()).Parse(`{{ module . }}`))
	var out strings.Builder
	if err := tmpl.Execute(&out, name); err != nil {
		var le *LookupError
		if errors.As(err, &le) {
			return "", le
		}
		return "", err
	}
	return out.String(), nil
}
