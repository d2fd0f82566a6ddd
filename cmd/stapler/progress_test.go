package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
)

// TestProgressTerminal runs the command with its stderr on a terminal: a
// pty that util-linux's script(1) gives it, as a developer's shell would.
// There, and only there, a build shows its progress on one line rewritten
// in place ("\r" then the line, ended by "\x1b[K", which erases what a
// longer line left), and erases it before the summary or the problems; -q
// shows nothing. The scripts in testdata/script check that a stderr that
// is not a terminal gets no progress output at all.
//
// The stapler it runs is the test binary itself, which TestMain put in
// $PATH under that name.
func TestProgressTerminal(t *testing.T) {
	script := testenv.Command(t, "script") // util-linux's script(1)
	stapler, err := exec.LookPath("stapler")
	if err != nil {
		t.Fatalf("stapler is not in $PATH, where TestMain puts it: %v", err)
	}

	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"assets.toml": `output = "build"
[[root]]
path = "static"

[collect]

[bundle.app]
output = "js/all.js"
sources = ["js/app.js"]
`,
		"compress.toml": `output = "build"
[[root]]
path = "static"

[collect]

[compress]

[bundle.app]
output = "js/all.js"
sources = ["js/app.js"]
`,
		"broken.toml": `output = "build"
[[root]]
path = "static"
[[root]]
path = "more"

[collect]
`,
		"static/css/site.css":  ".s { background: url(../img/logo.png) }\n",
		"static/img/logo.png":  "PNG\n",
		"static/js/app.js":     "var app = 1;\n",
		"static/data/one.json": "{\"one\": 1}\n",
		"more/css/x.css":       ".x { background: url(../img/nope.png) }\n",
	})

	// The pty turns each "\n" into "\r\n". 4 collected files and 1 bundle
	// make 5 files: the line is shown at least once, when all are done.
	progress := `(?:\rstapler: [0-5]/5 files, \d+ B\x1b\[K)*\rstapler: 5/5 files, \d+ B\x1b\[K`
	erase := `\r\x1b\[K`
	tests := []struct {
		name   string
		args   []string
		status int
		want   string // a regexp the whole output must match
	}{
		{
			name: "build",
			args: []string{"build"},
			want: `\A` + progress + erase +
				`stapler build: 1 bundle, 4 collected, 4 files read, [^\r\n]+ \(11 written, 0 unchanged\)\r\n\z`,
		},
		{
			name: "check",
			args: []string{"check"},
			want: `\A` + progress + erase + `stapler check: 1 bundle, 4 collected, 4 files read, [^\r\n]+\r\n\z`,
		},
		{
			// Compressing is a stage of its own, which can take longer
			// than making the files: it has its own count, of the files of
			// compressible types (the two scripts, the stylesheet and the JSON here, not the PNG).
			name: "compress",
			args: []string{"build", "-c", "compress.toml"},
			want: `\A` + progress +
				`(?:\rstapler: compressing [0-4]/4 files, \d+ B\x1b\[K)*\rstapler: compressing 4/4 files, \d+ B\x1b\[K` + erase +
				`stapler build: 1 bundle, 4 collected, 4 files read, [^\r\n]+\r\n\z`,
		},
		{
			// The problems start on a clean line.
			name:   "failed",
			args:   []string{"build", "-c", "broken.toml"},
			status: 1,
			want: `\A(?:\rstapler: \d+/\d+ files, \d+ B\x1b\[K)+` + erase +
				`more/css/x\.css:1:18: error: url\(\.\./img/nope\.png\) → "img/nope\.png" not found in any root\r\n1 error\r\n\z`,
		},
		{
			name: "quiet build",
			args: []string{"build", "-q"},
			want: `\A\z`,
		},
		{
			name: "quiet check",
			args: []string{"check", "-q"},
			want: `\A\z`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.RemoveAll(filepath.Join(dir, "build"))
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			line := shellQuote(append([]string{stapler}, tt.args...))
			cmd := exec.CommandContext(ctx, script, "-qec", line, "/dev/null")
			cmd.Dir = dir
			out, err := cmd.Output()
			status := 0
			if ee, ok := err.(*exec.ExitError); ok {
				status = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("script -qec %q: %v", line, err)
			}
			if status != tt.status {
				t.Errorf("exit status %d, want %d", status, tt.status)
			}
			if !regexp.MustCompile(tt.want).Match(out) {
				t.Errorf("stapler %s on a terminal printed\n%q\nwant a match for\n%s", strings.Join(tt.args, " "), out, tt.want)
			}
		})
	}
}

// writeFiles writes files, by slash-separated name, under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// shellQuote makes a command line for sh of args, each single-quoted.
func shellQuote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
