package suggest

import (
	"slices"
	"testing"
)

func TestNearest(t *testing.T) {
	files := []string{"a/cart.js", "a/rat.js", "a/cat.js", "b/at.js", "a/bat.js", "a/cats.js"}
	tests := []struct {
		name       string
		candidates []string
		find       string
		want       []string
	}{
		// Regression: finders ranked the typo JS/APX.js first and the
		// manifest the case mismatch, so stapler check and the web app
		// disagreed (issue 10). The wrong case is the file meant.
		{"case before typo", []string{"JS/APX.js", "js/app.js"}, "JS/APP.js", []string{"js/app.js", "JS/APX.js"}},
		{"case only, far in edits", []string{"css/site.css"}, "CSS/Site.css", []string{"css/site.css"}},
		{"several cases, by name", []string{"readme.md", "README.md", "Readme.md", "readme.me"}, "ReadMe.md", []string{"README.md", "Readme.md", "readme.md"}},
		{"ties by name, at most three", files, "a/at.js", []string{"a/bat.js", "a/cat.js", "a/rat.js"}},
		{"fewer edits first", files, "a/carts.js", []string{"a/cart.js", "a/cats.js", "a/cat.js"}},
		// The limit follows the last element ("cart.js": 2 edits), so
		// "a/bat.js", 3 edits away, is not offered.
		{"limit from last element", files, "c/cart.js", []string{"a/cart.js", "a/cat.js"}},
		{"typos before moved", files, "c/at.js", []string{"b/at.js", "a/bat.js", "a/cat.js"}},
		{"moved file", files, "x/y/z/at.js", []string{"b/at.js"}},
		{"moved, nearest directory first", []string{"js/app.js", "js/vendor/app.js", "css/site.css"}, "app.js", []string{"js/app.js", "js/vendor/app.js"}},
		{"nothing close", files, "zzzzzzzzzzz.js", nil},
		{"no candidates", nil, "a.js", nil},
		{"empty name", files, "", nil},
		{"runes, not bytes", []string{"img/café.png"}, "img/cafe.png", []string{"img/café.png"}},
	}
	for _, tt := range tests {
		if got := Nearest(tt.find, tt.candidates); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Nearest(%q) = %q, want %q", tt.name, tt.find, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 2, 0},
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 3}, // above the limit: limit+1
		{"a", "abcdef", 2, 3},       // lengths alone exceed it
		{"é", "e", 2, 1},
	}
	for _, tt := range tests {
		if got := distance([]rune(tt.a), []rune(tt.b), tt.limit); got != tt.want {
			t.Errorf("distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}
