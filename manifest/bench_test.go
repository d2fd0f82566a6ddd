package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchManifest is a manifest the size of the generated 4,000-file site's
// (testdata/bench/speed.sh): a build parses the previous one and encodes
// both formats of the next.
func benchManifest(n int) *Manifest {
	m := &Manifest{Version: Version, Prefix: "/static/", Files: map[string]Entry{}}
	for i := range n {
		name := fmt.Sprintf("img/photos/price-folder-%04d.jpg", i)
		e := Entry{Path: fmt.Sprintf("img/photos/price-folder-%04d.%012x.jpg", i, i*7919), Size: int64(1000 + i), Integrity: pngSRI}
		if i%10 == 0 {
			name = fmt.Sprintf("css/components/part-%04d.css", i)
			e.Path = fmt.Sprintf("css/components/part-%04d.%012x.css", i, i*7919)
			e.Integrity = cssSRI
			e.Encodings = map[string]int64{"br": 300, "gzip": 400}
		}
		m.Files[name] = e
	}
	return m
}

func BenchmarkManifest(b *testing.B) {
	m := benchManifest(4000)
	data, err := m.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Parse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Marshal", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.Marshal(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("MarshalDjango", func(b *testing.B) {
		for b.Loop() {
			if _, err := m.MarshalDjango("1.1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestEncodeIsEncodingJSON holds Marshal's hand-written encoding to what
// encoding/json writes with the same settings, over manifests of tricky
// names (quotes, backslashes, controls, HTML characters, U+2028, non-ASCII),
// every optional field present and absent, and no files at all.
func TestEncodeIsEncodingJSON(t *testing.T) {
	tricky := []string{"a.css", `q"uote.css`, `back\slash.css`, "tab\t.css", "<a&b>.css", "line\u2028sep.css", "caf\u00e9.css", "\u65e5\u672c.js", "emoji\U0001F600.png", "del\x7f.css"}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return tricky[r.IntN(len(tricky))] }
	list := func() []string {
		var l []string
		for range r.IntN(3) {
			l = append(l, pick())
		}
		return l
	}
	manifests := []*Manifest{
		{Version: Version, Prefix: "/static/", Files: map[string]Entry{}},
		{Version: Version, Prefix: "https://cdn.example.com/<s>&/\"x\"/", Files: map[string]Entry{"a": {Path: "a.0123456789ab"}}},
		benchManifest(300),
	}
	for range 200 {
		m := &Manifest{Version: Version, Prefix: "/" + pick() + "/", Files: map[string]Entry{}}
		for range r.IntN(6) {
			e := Entry{Path: pick(), Size: r.Int64N(1 << 40), Integrity: pick(), Sources: list(), Imports: list(), DynamicImports: list(), CSS: list(), Assets: list()}
			if r.IntN(2) == 0 {
				e.Bundle = pick()
			}
			if r.IntN(2) == 0 {
				e.Encodings = map[string]int64{"br": r.Int64N(1000), "gzip": r.Int64N(1000)}
				if r.IntN(2) == 0 {
					e.Encodings["zstd"] = 7
				}
			}
			m.Files[pick()+pick()] = e
		}
		manifests = append(manifests, m)
	}
	for _, m := range manifests {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(m); err != nil {
			t.Fatal(err)
		}
		if got := m.encode(); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("encode:\n%s\nencoding/json:\n%s", got, want.Bytes())
		}
	}
}
