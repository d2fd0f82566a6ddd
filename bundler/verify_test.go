package bundler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/manifest"
)

// TestVerifyStaleLines: stapler verify reports a stale entry at the line
// of its name in the deployed manifest, however a person or a tool has
// laid the manifest out since the build wrote it. It used to find the
// line by the indentation Marshal writes, and so lost it (line 0) in any
// other layout.
func TestVerifyStaleLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	out := filepath.Join(dir, "build", "static")
	build(t, config)
	editFile(t, filepath.Join(dir, "static", "css", "layout.css"), "max-width: 960px", "max-width: 1140px")
	file := filepath.Join(out, manifest.FileName)
	written, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		layout string
		text   func() []byte
	}{
		{"as written", func() []byte { return written }},
		{"tabs", func() []byte {
			var b bytes.Buffer
			if err := json.Indent(&b, written, "", "\t"); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
		{"8 spaces under a prefix", func() []byte {
			var b bytes.Buffer
			if err := json.Indent(&b, written, "  ", "        "); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
		{"one line", func() []byte {
			var b bytes.Buffer
			if err := json.Compact(&b, written); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}},
	} {
		t.Run(tc.layout, func(t *testing.T) {
			text := tc.text()
			if err := os.WriteFile(file, text, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := bundler.Verify(context.Background(), out, load(t, config))
			var diags bundler.ErrorList
			if !errors.As(err, &diags) {
				t.Fatalf("Verify = %v, want the stale entries", err)
			}
			stale := 0
			for _, d := range diags {
				if d.Code != "stale" {
					t.Errorf("unexpected problem: %v", d)
					continue
				}
				stale++
				// The name is the message's first word, quoted; its key
				// is that, then a colon.
				name := regexp.MustCompile(`^"[^"]*"`).FindString(d.Message)
				i := regexp.MustCompile(regexp.QuoteMeta(name) + `\s*:\s*\{`).FindIndex(text)
				if i == nil {
					t.Fatalf("%s is not a key of the manifest", name)
				}
				want := 1 + bytes.Count(text[:i[0]], []byte("\n"))
				if d.Pos.File != file || d.Pos.Line != want {
					t.Errorf("%s is at %v, want line %d of %s", name, d.Pos, want, file)
				}
			}
			if stale == 0 {
				t.Errorf("no stale entry in %v", diags)
			}
		})
	}
}
