package manifest

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestMarshalEdited holds MarshalEdited and MarshalDjangoEdited to
// Marshal and MarshalDjango: manifests of names that need escapes, or
// that hold what the splice looks for (", ", ": ", quotes), with random
// entries edited, each written from the last text and from scratch.
func TestMarshalEdited(t *testing.T) {
	names := []string{"a.css", "css/app.css", `css/q"uote.css`, "css/caf\u00e9.css", `img/a, "b".png`, `img/x": "y.png`, "js/\u65e5\u672c.js", "img/emoji\U0001F600.png", "z/last.js"}
	r := rand.New(rand.NewPCG(3, 4))
	pick := func() string { return names[r.IntN(len(names))] }
	entry := func(i int) Entry {
		e := Entry{Path: fmt.Sprintf("out/%d.%012x.css", i, r.Uint64()>>16), Size: r.Int64N(1 << 20), Integrity: pngSRI}
		if r.IntN(2) == 0 {
			e.Integrity, e.Bundle, e.Sources = cssSRI, "b"+fmt.Sprint(i), []string{pick(), pick()}
		}
		if r.IntN(2) == 0 {
			e.Assets = []string{pick()}
		}
		if r.IntN(2) == 0 {
			e.Encodings = map[string]int64{"gzip": 1 + r.Int64N(1000)}
		}
		return e
	}
	for round := range 300 {
		m := &Manifest{Version: Version, Prefix: "/static/", Files: map[string]Entry{}}
		for i, name := range names {
			m.Files[name] = entry(i)
		}
		prev, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		prevDjango, err := m.MarshalDjango("1.0")
		if err != nil {
			t.Fatal(err)
		}
		next := &Manifest{Version: Version, Prefix: m.Prefix, Files: maps.Clone(m.Files)}
		var edited []string
		for range 1 + r.IntN(4) {
			name := pick()
			next.Files[name] = entry(round)
			edited = append(edited, name, name) // once or more
		}
		if r.IntN(4) == 0 {
			edited = append(edited, pick()) // not changed: encoded the same
		}
		want, err := next.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		// Spliced, the text before the first edited entry is prev's
		// own bytes, not a copy.
		if pieces, _ := next.MarshalEdited(prev, edited); len(pieces) < 3 || &pieces[0][0] != &prev[0] {
			t.Fatalf("round %d: MarshalEdited of %q: %d pieces, the first not prev's", round, edited, len(pieces))
		}
		if got, err := joined(next.MarshalEdited(prev, edited)); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("round %d: MarshalEdited of %q (%v):\n%s\nwant:\n%s", round, edited, err, got, want)
		}
		for _, version := range []string{"1.0", "1.1"} {
			want, err := next.MarshalDjango(version)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := joined(next.MarshalDjangoEdited(prevDjango, version, edited)); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("round %d: MarshalDjangoEdited %s of %q (%v):\n%s\nwant:\n%s", round, version, edited, err, got, want)
			}
		}
	}

	// Texts that cannot be such a manifest's: the whole encoding.
	m := sample()
	want, _ := m.Marshal()
	wantDjango, _ := m.MarshalDjango("1.0")
	other := &Manifest{Version: Version, Prefix: "/other/", Files: m.Files}
	otherText, _ := other.Marshal()
	fewer := &Manifest{Version: Version, Prefix: m.Prefix, Files: map[string]Entry{"img/logo.png": m.Files["img/logo.png"]}}
	fewerText, _ := fewer.Marshal()
	fewerDjango, _ := fewer.MarshalDjango("1.0")
	for _, c := range []struct {
		what         string
		prev, django []byte
		edited       []string
	}{
		{"another URL", otherText, wantDjango, []string{"css/app.css"}},
		{"fewer entries", fewerText, fewerDjango, []string{"css/app.css"}},
		{"not a manifest", []byte("{}"), []byte("{}"), []string{"css/app.css"}},
		{"an edited name that is no entry", want, wantDjango, []string{"css/gone.css"}},
	} {
		if got, err := joined(m.MarshalEdited(c.prev, c.edited)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: MarshalEdited (%v):\n%s\nwant:\n%s", c.what, err, got, want)
		}
		if got, err := joined(m.MarshalDjangoEdited(c.django, "1.0", c.edited)); err != nil || !bytes.Equal(got, wantDjango) {
			t.Errorf("%s: MarshalDjangoEdited (%v):\n%s\nwant:\n%s", c.what, err, got, wantDjango)
		}
	}

	// The other entries' text is prev's: the text is not encoded whole.
	stale := bytes.Replace(want, []byte(`"size": 4,`), []byte(`"size": 5,`), 1)
	if got, _ := joined(m.MarshalEdited(stale, []string{"css/app.css"})); !bytes.Contains(got, []byte(`"size": 5,`)) {
		t.Errorf("MarshalEdited encoded an entry not edited:\n%s", got)
	}
	staleDjango := bytes.Replace(wantDjango, []byte("logo.8b1a"), []byte("logo.0000"), 1)
	if got, _ := joined(m.MarshalDjangoEdited(staleDjango, "1.0", []string{"css/app.css"})); !bytes.Contains(got, []byte("logo.0000")) {
		t.Errorf("MarshalDjangoEdited encoded a path not edited:\n%s", got)
	}

	// An edited entry is checked as Marshal checks it.
	bad := &Manifest{Version: Version, Prefix: m.Prefix, Files: maps.Clone(m.Files)}
	bad.Files["css/app.css"] = Entry{Path: "../escape.css", Integrity: cssSRI}
	if _, err := bad.MarshalEdited(want, []string{"css/app.css"}); err == nil {
		t.Error("MarshalEdited wrote an entry whose path leaves the directory")
	}
	if _, err := bad.MarshalDjangoEdited(wantDjango, "1.0", []string{"css/app.css"}); err == nil {
		t.Error("MarshalDjangoEdited wrote an entry whose path leaves the directory")
	}
}

// joined returns the pieces of an edited manifest as one text.
func joined(pieces [][]byte, err error) ([]byte, error) {
	return bytes.Join(pieces, nil), err
}
