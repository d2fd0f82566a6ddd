package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
)

// TestPublishProgressTerminal runs stapler publish with its stderr on a
// terminal (script(1)'s pty), against the tests' S3 server: it shows the
// objects and bytes uploaded on one line rewritten in place, and erases
// it before its summary. testdata/script/publish.txtar checks the rest of
// the command, where stderr is no terminal and shows no progress.
func TestPublishProgressTerminal(t *testing.T) {
	script := testenv.Command(t, "script")
	stapler, err := exec.LookPath("stapler")
	if err != nil {
		t.Fatalf("stapler is not in $PATH, where TestMain puts it: %v", err)
	}
	s := testenv.S3Server(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"assets.toml":          "output = \"build\"\n[[root]]\npath = \"static\"\n[collect]\n[publish]\npath_style = true\n",
		"static/css/site.css":  ".s { background: url(../img/logo.png) }\n",
		"static/img/logo.png":  "PNG\n",
		"static/js/app.js":     "var app = 1;\n",
		"static/data/one.json": "{\"one\": 1}\n",
	})
	env := append(os.Environ(),
		"AWS_ENDPOINT_URL_S3="+s.Endpoint, "AWS_REGION="+s.Region,
		"AWS_ACCESS_KEY_ID="+s.AccessKey, "AWS_SECRET_ACCESS_KEY="+s.SecretKey,
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"), "AWS_CONFIG_FILE="+filepath.Join(dir, "none"))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, stapler, "build", "-q")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("stapler build: %v\n%s", err, out)
	}
	line := shellQuote([]string{stapler, "publish", "s3://" + s.Bucket + "/progress/"})
	cmd := exec.CommandContext(ctx, script, "-qec", line, "/dev/null")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("script -qec %q: %v\n%q", line, err, out)
	}
	// 4 hashed files, their plain copies, the manifest: 9 objects.
	size := `\d+(?:\.\d)? k?B`
	want := `\A(?:\rstapler: uploading [0-9]/9 objects, ` + size + ` of ` + size + `\x1b\[K)*` +
		`\rstapler: uploading 9/9 objects, (` + size + `) of ` + size + `\x1b\[K\r\x1b\[K` +
		`stapler publish: s3://[a-z0-9.-]+/progress/: uploaded 9 objects \(` + size + `\), 0 up to date, in [^\r\n]+\r\n\z`
	if !regexp.MustCompile(want).Match(out) {
		t.Errorf("stapler publish on a terminal printed\n%q\nwant a match for\n%s", out, want)
	}
	// -q: nothing.
	cmd = exec.CommandContext(ctx, script, "-qec", shellQuote([]string{stapler, "publish", "-q", "s3://" + s.Bucket + "/progress/"}), "/dev/null")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.Output(); err != nil || len(out) != 0 {
		t.Errorf("stapler publish -q on a terminal: %v, printed %q", err, out)
	}
}
