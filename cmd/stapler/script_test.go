package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/stapler-build/stapler/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the scripts' cmp files with what the commands printed")

// TestMain makes the test binary double as the stapler command, so that
// scripts run it in a process of its own, exit status included.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"stapler": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScript runs every testdata/script/*.txtar. Each archive is a small
// project (assets.toml and its static files) and the commands run over it,
// with the exact diagnostics they must print.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *update,
		// Report every failed assertion of a script, not just the first.
		ContinueOnError: true,
		Cmds:            map[string]func(*testscript.TestScript, bool, []string){"status": cmdStatus, "need": cmdNeed, "s3server": cmdS3Server},
		// The need command skips a script through its test.
		Setup: func(e *testscript.Env) error { e.Values[testKey{}] = e.T(); return nil },
	})
}

// cmdStatus runs a command like exec and checks its exit status, which
// exec only knows as zero or not:
//
//	status 2 stapler check -c missing.toml
//
// The command's stdout and stderr are then checked as after exec.
func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! status")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: status code command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// cmdNeed skips the script, or under CI fails it, when a program it runs
// is not installed, naming the command that installs it
// (internal/testenv):
//
//	need node
//
// "need django", "need django-pipeline" and "need whitenoise" want
// Debian's Django, and django-pipeline or whitenoise, under testenv.Python.
func cmdNeed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: need program")
	}
	switch args[0] {
	case "django":
		testenv.Django(scriptT{ts})
	case "django-pipeline":
		testenv.DjangoPipeline(scriptT{ts})
	case "whitenoise":
		testenv.PythonModule(scriptT{ts}, "whitenoise", "python3-whitenoise")
	default:
		testenv.Command(scriptT{ts}, args[0])
	}
}

// scriptT is a script as testenv sees a test: it fails as a script does,
// its output shown, and skips through the test that Setup keeps.
type scriptT struct{ ts *testscript.TestScript }

// testKey is the key of the script's test in its Env.Values.
type testKey struct{}

func (s scriptT) Helper()                           {}
func (s scriptT) Skip(args ...any)                  { s.ts.Value(testKey{}).(testscript.T).Skip(args...) }
func (s scriptT) Fatalf(format string, args ...any) { s.ts.Fatalf(format, args...) }

// Cleanup and TempDir are for testenv.S3Server: the server stops when the
// script ends, and keeps its data in the script's work directory.
func (s scriptT) Cleanup(f func()) { s.ts.Defer(f) }
func (s scriptT) TempDir() string {
	dir, err := os.MkdirTemp(s.ts.MkAbs(""), "s3server")
	s.ts.Check(err)
	return dir
}

// cmdS3Server gives the script an empty bucket on the tests' S3 server
// (testenv.S3Server, a real one on 127.0.0.1), and the environment stapler
// reaches it with: AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, and BUCKET, its name.
//
//	s3server
func cmdS3Server(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: s3server")
	}
	s := testenv.S3Server(scriptT{ts})
	ts.Setenv("AWS_ENDPOINT_URL_S3", s.Endpoint)
	ts.Setenv("AWS_REGION", s.Region)
	ts.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	ts.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	ts.Setenv("BUCKET", s.Bucket)
	// None of the machine's own AWS settings.
	ts.Setenv("AWS_SHARED_CREDENTIALS_FILE", ts.MkAbs("no-aws-credentials"))
	ts.Setenv("AWS_CONFIG_FILE", ts.MkAbs("no-aws-config"))
}
