package manifest

import (
	"slices"
	"testing"
)

// TestNamingContract pins the names a build writes: what the hash is, where
// it goes, and that every such name is recognised again with its logical
// name and hash, by verify, by prune and by a web app alike.
func TestNamingContract(t *testing.T) {
	const h = "0123456789ab"
	for _, tt := range []struct {
		data, hash, integrity string
	}{
		// The SHA-256 and SHA-384 of nothing and of "abc", as any tool computes them.
		{"", "e3b0c44298fc", "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"},
		{"abc", "ba7816bf8f01", "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"},
	} {
		if got := ContentHash([]byte(tt.data)); got != tt.hash || !IsHash(got) {
			t.Errorf("ContentHash(%q) = %q, want %q", tt.data, got, tt.hash)
		}
		if got := Integrity([]byte(tt.data)); got != tt.integrity {
			t.Errorf("Integrity(%q) = %q, want %q", tt.data, got, tt.integrity)
		}
	}

	for _, tt := range []struct{ name, want string }{
		{"css/site.css", "css/site.0123456789ab.css"},
		{"js/a.min.js", "js/a.min.0123456789ab.js"},
		{"css/site.css.map", "css/site.css.0123456789ab.map"},
		{"LICENSE", "LICENSE.0123456789ab"},
		{"dir/.htaccess", "dir/.htaccess.0123456789ab"},
		{"dir.v2/file", "dir.v2/file.0123456789ab"},
		{"a.", "a.0123456789ab."},
		{"../img/my%20logo.png", "../img/my%20logo.0123456789ab.png"}, // a URL as written
		// Names that look hashed already: the new hash still goes
		// before the extension, and the split finds it there.
		{"x.fedcba987654", "x.0123456789ab.fedcba987654"},
		{"x.fedcba987654.js", "x.fedcba987654.0123456789ab.js"},
		{".fedcba987654", ".fedcba987654.0123456789ab"},
	} {
		got := HashedPath(tt.name, h)
		if got != tt.want {
			t.Errorf("HashedPath(%q) = %q, want %q", tt.name, got, tt.want)
		}
		name, hash, ok := SplitHashed(got)
		if !ok || name != tt.name || hash != h {
			t.Errorf("SplitHashed(%q) = %q, %q, %v; want %q, %q, true", got, name, hash, ok, tt.name, h)
		}
	}

	// Names HashedPath makes from no name, which prune leaves be.
	for _, p := range []string{
		"",
		"css/site.css",
		"css/site.0123456789AB.css", // upper case
		"css/site.0123456789a.css",  // 11 digits
		"css/site.0123456789abc.css",
		"css/site-0123456789ab.css", // esbuild's separator, not ours
		"css/site.0123456789ab.css/x",
		"dir.0123456789ab/file",
		"0123456789ab",
		".0123456789ab.js", // the hash where the name should be
		"a.b.0123456789ab", // after an extension: a.b's is a.0123456789ab.b
		"stapler-manifest.json",
		".stapler-0123456789ab.tmp",
	} {
		if name, hash, ok := SplitHashed(p); ok {
			t.Errorf("SplitHashed(%q) = %q, %q, true; want false", p, name, hash)
		}
	}
}

func TestSuffix(t *testing.T) {
	for enc, want := range map[string]string{"br": ".br", "gzip": ".gz", "zstd": ".zst", "identity": "", "x-gzip": ""} {
		if got := Suffix(enc); got != want {
			t.Errorf("Suffix(%q) = %q, want %q", enc, got, want)
		}
	}
	encs := Encodings()
	if want := []string{"br", "gzip", "zstd"}; !slices.Equal(encs, want) {
		t.Errorf("Encodings() = %q, want %q", encs, want)
	}
	encs[0] = "changed"
	if Encodings()[0] != "br" {
		t.Errorf("a caller changed what Encodings returns")
	}
}
