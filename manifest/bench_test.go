package manifest

import (
	"fmt"
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
