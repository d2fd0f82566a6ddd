package bundler

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/manifest"
)

func TestPublishConfig(t *testing.T) {
	const base = "output = \"o\"\n[[root]]\npath = \"s\"\n[collect]\n"
	tests := []struct {
		name  string
		table string
		want  PublishConfig // Pos left out
		diags []string      // "line:col code", in order
	}{
		{"none", "", PublishConfig{}, nil},
		{"every key", "[publish]\nbucket = \"s3://static/site/\"\nendpoint = \"http://127.0.0.1:8333\"\nregion = \"us-east-1\"\npath_style = true\nconcurrency = 4\n",
			PublishConfig{Bucket: "s3://static/site/", Endpoint: "http://127.0.0.1:8333", Region: "us-east-1", PathStyle: true, Concurrency: 4}, nil},
		{"bucket without prefix", "[publish]\nbucket = \"s3://static\"\n", PublishConfig{Bucket: "s3://static"}, nil},
		{"secrets are errors, not values", "[publish]\naws_access_key_id = \"AKIA\"\nsecret_access_key = \"x\"\nsession_token = \"t\"\nbucket = \"s3://static/\"\n",
			PublishConfig{Bucket: "s3://static/"}, []string{"6:1 credentials-in-config", "7:1 credentials-in-config", "8:1 credentials-in-config"}},
		{"a password in the endpoint", "[publish]\nendpoint = \"https://id:secret@s3.example.com\"\n",
			PublishConfig{}, []string{"6:12 credentials-in-config"}},
		{"an unknown key is not a credential", "[publish]\nbuckett = \"s3://static/\"\n", PublishConfig{}, []string{"6:1 unknown-key"}},
		{"bad values", "[publish]\nbucket = \"static\"\nendpoint = \"s3.example.com\"\nconcurrency = 0\npath_style = \"yes\"\n",
			PublishConfig{}, []string{"6:10 bad-value", "7:12 bad-value", "8:15 bad-value", "9:14 type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, diag := parseTOML("assets.toml", []byte(base+tt.table))
			if diag != nil {
				t.Fatal(diag)
			}
			var diags ErrorList
			c := decodeConfig("assets.toml", top, &diags)
			var got []string
			for _, d := range diags {
				got = append(got, strings.TrimPrefix(d.Pos.String(), "assets.toml:")+" "+d.Code)
			}
			if !slices.Equal(got, tt.diags) {
				t.Errorf("diagnostics %q, want %q\n%v", got, tt.diags, diags.Error())
			}
			var pc PublishConfig
			if c.Publish != nil {
				pc = *c.Publish
				pc.Pos = Position{}
			}
			if pc != tt.want {
				t.Errorf("got %+v, want %+v", pc, tt.want)
			}
		})
	}
}

func TestParseBucketURL(t *testing.T) {
	tests := []struct{ url, bucket, prefix, err string }{
		{"s3://static", "static", "", ""},
		{"s3://static/", "static", "", ""},
		{"s3://static/site/", "static", "site/", ""},
		{"s3://my.static-1/a/b/", "my.static-1", "a/b/", ""},
		{"https://static.s3.amazonaws.com/", "", "", "not an s3:// URL"},
		{"s3:///site/", "", "", "names no bucket"},
		{"s3://Static/", "", "", "not a bucket name"},
		{"s3://st/", "", "", "not a bucket name"},
		{"s3://static/site", "", "", "must end with a slash"},
		{"s3://static//site/", "", "", "empty element"},
		{"s3://static/../", "", "", `".." element`},
	}
	for _, tt := range tests {
		bucket, prefix, err := ParseBucketURL(tt.url)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v", tt.url, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one saying %q", tt.url, err, tt.err)
		case bucket != tt.bucket || prefix != tt.prefix:
			t.Errorf("%s: %q %q, want %q %q", tt.url, bucket, prefix, tt.bucket, tt.prefix)
		}
	}
}

// TestPushHistory checks that PushHistory, which stapler publish keeps a
// bucket's history with, makes what a build writes in a directory when
// it replaces a manifest: the same index, the same name.
func TestPushHistory(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "s")
	os.MkdirAll(filepath.Join(src, "css"), 0o755)
	config := filepath.Join(dir, "assets.toml")
	os.WriteFile(config, []byte("output = \"o\"\nswitch = \"in-place\"\n[[root]]\npath = \"s\"\n[collect]\n"), 0o644)
	var manifests [][]byte
	for i := range 3 {
		os.WriteFile(filepath.Join(src, "css", "a.css"), []byte(strings.Repeat("a{}", i+1)), 0o644)
		mustBuild(t, config)
		data, err := os.ReadFile(filepath.Join(dir, "o", manifest.FileName))
		if err != nil {
			t.Fatal(err)
		}
		manifests = append(manifests, data)
	}
	var index []byte
	for _, prev := range manifests[:2] {
		next, name, err := PushHistory(index, prev)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "o", filepath.FromSlash(path.Join(HistoryDir, name)))); err != nil {
			t.Errorf("the build kept no %s: %v", name, err)
		}
		index = next
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, "o", filepath.FromSlash(HistoryIndex)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(index, onDisk) {
		t.Errorf("PushHistory made\n%s\nthe build wrote\n%s", index, onDisk)
	}
	builds, err := HistoryBuilds(index)
	if err != nil || len(builds) != 2 {
		t.Errorf("HistoryBuilds: %q, %v; want 2 builds", builds, err)
	}
	if again, _, _ := PushHistory(index, manifests[1]); !bytes.Equal(again, index) {
		t.Errorf("pushing the newest manifest again changed the index:\n%s", again)
	}
	if _, err := HistoryBuilds([]byte(`{"version": 2, "builds": []}`)); err == nil {
		t.Error("HistoryBuilds read a version 2 index")
	}
}

// mustBuild builds the project of config, failing the test on any problem.
func mustBuild(t *testing.T, config string) {
	t.Helper()
	p, err := Load(Options{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Build(t.Context()); err != nil {
		t.Fatal(err)
	}
}
