package bundler

import "testing"

func TestLocalTarget(t *testing.T) {
	tests := []struct {
		ref, from, prefix string
		name, suffix      string
		local             bool
	}{
		{"../img/a.png", "css", "/static/", "img/a.png", "", true},
		{"img/a.png", "css", "/static/", "css/img/a.png", "", true},
		{"./a.png", "css", "/static/", "css/a.png", "", true},
		{"a.png?v=2", "", "/static/", "a.png", "?v=2", true},
		{"f.eot?#iefix", "fonts", "/static/", "fonts/f.eot", "?#iefix", true},
		{"icons.svg#home", "img", "/static/", "img/icons.svg", "#home", true},
		{"my%20file.png", "img", "/static/", "img/my file.png", "", true},
		{"/static/img/a.png", "css/deep", "/static/", "img/a.png", "", true},
		{"https://cdn.example.com/static/a.png", "css", "https://cdn.example.com/static/", "a.png", "", true},
		{"/other/a.png", "css", "/static/", "", "", false},
		{"data:image/png;base64,xx", "css", "/static/", "", "", false},
		{"DATA:image/png;base64,xx", "css", "/static/", "", "", false},
		{"http://x.test/a.png", "css", "/static/", "", "", false},
		{"HTTPS://x.test/a.png", "css", "/static/", "", "", false},
		{"chrome://x/a.png", "css", "/static/", "", "", false},
		{"//cdn.test/a.png", "css", "/static/", "", "", false},
		{"#frag", "css", "/static/", "", "", false},
		{"", "css", "/static/", "", "", false},
		{"  ", "css", "/static/", "", "", false},
		{"?v=1", "css", "/static/", "", "", false},
		{"../../../a.png", "css", "/static/", "../../a.png", "", true}, // resolves outside: not found later
	}
	for _, tt := range tests {
		name, suffix, local := localTarget(tt.ref, tt.from, tt.prefix)
		if name != tt.name || suffix != tt.suffix || local != tt.local {
			t.Errorf("localTarget(%q, %q, %q) = %q, %q, %v; want %q, %q, %v", tt.ref, tt.from, tt.prefix, name, suffix, local, tt.name, tt.suffix, tt.local)
		}
	}
}

func TestRelDir(t *testing.T) {
	tests := []struct{ dir, to, want string }{
		{"css", "img", "../img/"},
		{"css", "css", ""},
		{".", "img", "img/"},
		{"", ".", ""},
		{"a/b/c", "a/x", "../../x/"},
		{"a", "a/b", "b/"},
		{"css", "img/my dir (1)", "../img/my%20dir%20%281%29/"},
		{"css", "img/café", "../img/caf%C3%A9/"},
	}
	for _, tt := range tests {
		if got := relDir(tt.dir, tt.to); got != tt.want {
			t.Errorf("relDir(%q, %q) = %q, want %q", tt.dir, tt.to, got, tt.want)
		}
	}
}
