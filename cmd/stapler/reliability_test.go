//go:build linux

package main

// The reliability suite (issue 11): the command in processes of its own,
// killed with SIGKILL across a build, run two and three at once into one
// output with prune between them, and out of disk space. After each, an
// output must be entirely one build's: checked by stapler verify and,
// independently of stapler's code, by reading the manifests as JSON and
// hashing every file they name.
//
// go test ./cmd/stapler -run Reliability runs its quick form (the one
// .ci/run runs); -reliability.full the long one, whose figures
// docs/reliability.md records.

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var reliabilityFull = flag.Bool("reliability.full", false, "run the reliability suite's long form: more kills and concurrent rounds, a larger project")

// staplerBin returns the command built without the race detector (the
// suite times builds to kill them, and the detector would slow them
// tenfold), once per test binary, into a directory of the user's cache
// named for this checkout: a test run in another checkout on the machine
// must not rebuild it from other code while this one measures it (a run
// once measured another checkout's scanner, at 605 MB).
var staplerBin = sync.OnceValues(func() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	sum := sha256.Sum256([]byte(wd))
	dir = filepath.Join(dir, "stapler-tools", "reliability", hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "stapler")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func bin(t *testing.T) string {
	t.Helper()
	b, err := staplerBin()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// relProject is a generated project: scripts, stylesheets that point at
// images, two bundles, [collect], gzip siblings and Django's manifest.
// Its version decides every script's and stylesheet's bytes and half the
// images'.
type relProject struct {
	dir, config, out string
	files            int
}

func newRelProject(t *testing.T, dir, out string, files int) *relProject {
	t.Helper()
	if out == "" {
		out = filepath.Join(dir, "build", "static")
	}
	p := &relProject{dir: dir, config: filepath.Join(dir, "assets.toml"), out: out, files: files}
	config := fmt.Sprintf(`output = %q

[[root]]
path = "static"

[bundle.app]
output = "js/app.js"
sources = ["js/*.js"]

[bundle.site]
output = "css/site.css"
sources = ["css/*.css"]

[collect]

[compress]
gzip = true
brotli = false

[manifest]
django = true
`, out)
	if err := os.MkdirAll(filepath.Join(dir, "static"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.config, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// setVersion writes the sources of version v.
func (p *relProject) setVersion(t *testing.T, v int) {
	t.Helper()
	n := p.files / 3
	for i := range n {
		files := map[string][]byte{
			fmt.Sprintf("js/m%03d.js", i): fmt.Appendf(nil, "var m%d = {version: %d, items: [%s]};\nfunction f%d(x) { return x * %d + m%d.version; }\n",
				i, v, strings.Repeat("1, 2, 3, ", 40), i, i+1, i),
			fmt.Sprintf("css/s%03d.css", i): fmt.Appendf(nil, ".c%d { background: url(../img/i%03d.png); margin: %dpx; }\n.d%d::after { content: \"v%d\"; padding: 1px 2px; }\n",
				i, i, v, i, v),
		}
		img := make([]byte, 4096)
		r := rand.New(rand.NewPCG(uint64(i), uint64(v*(i%2)))) // odd images change with the version
		for j := range img {
			img[j] = byte(r.Uint32())
		}
		files[fmt.Sprintf("img/i%03d.png", i)] = img
		for name, data := range files {
			name = filepath.Join(p.dir, "static", filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// build runs stapler build and fails the test unless it succeeds.
func (p *relProject) build(t *testing.T, stapler string) {
	t.Helper()
	if out, err := exec.Command(stapler, "build", "-q", "-c", p.config).CombinedOutput(); err != nil {
		t.Fatalf("stapler build: %v\n%s", err, out)
	}
}

// consistent checks an output directory without stapler's code: the
// manifest's every entry names a hashed file of its size and integrity,
// a plain copy of the same bytes, and gzip siblings of their recorded
// size; staticfiles.json maps the same names to the same files. It
// returns the manifest's bytes.
func consistent(out string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(out, "stapler-manifest.json"))
	if err != nil {
		return nil, err
	}
	var m struct {
		Files map[string]struct {
			Path      string
			Size      int64
			Integrity string
			Encodings map[string]int64
		}
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("stapler-manifest.json: %v", err)
	}
	if len(m.Files) == 0 {
		return nil, errors.New("stapler-manifest.json names no file")
	}
	paths := map[string]string{}
	for name, e := range m.Files {
		paths[name] = e.Path
		b, err := os.ReadFile(filepath.Join(out, e.Path))
		if err != nil {
			return nil, err
		}
		sum := sha512.Sum384(b)
		if int64(len(b)) != e.Size || "sha384-"+base64.StdEncoding.EncodeToString(sum[:]) != e.Integrity {
			return nil, fmt.Errorf("%s: not the file the manifest names", e.Path)
		}
		plain, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(plain, b) {
			return nil, fmt.Errorf("%s: the plain copy is not %s", name, e.Path)
		}
		for enc, size := range e.Encodings {
			suffix := map[string]string{"gzip": ".gz", "br": ".br", "zstd": ".zst"}[enc]
			for _, f := range []string{e.Path, name} {
				st, err := os.Stat(filepath.Join(out, f+suffix))
				if err != nil {
					return nil, err
				}
				if st.Size() != size {
					return nil, fmt.Errorf("%s%s: %d bytes, the manifest says %d", f, suffix, st.Size(), size)
				}
			}
		}
	}
	django, err := os.ReadFile(filepath.Join(out, "staticfiles.json"))
	if err != nil {
		return nil, err
	}
	var d struct{ Paths map[string]string }
	if err := json.Unmarshal(django, &d); err != nil {
		return nil, fmt.Errorf("staticfiles.json: %v", err)
	}
	if fmt.Sprint(d.Paths) != fmt.Sprint(paths) {
		return nil, errors.New("staticfiles.json does not map the names stapler-manifest.json does")
	}
	return data, nil
}

// checkOutput checks the output both ways and returns which of want's
// manifests it holds: the output must be entirely one of those builds.
func checkOutput(t *testing.T, stapler, out string, want [][]byte) int {
	t.Helper()
	data, err := consistent(out)
	if err != nil {
		t.Fatalf("the output is not one build's: %v", err)
	}
	if out, err := exec.Command(stapler, "verify", out).CombinedOutput(); err != nil {
		t.Fatalf("stapler verify: %v\n%s", err, out)
	}
	for i, w := range want {
		if bytes.Equal(data, w) {
			return i
		}
	}
	t.Fatalf("the output's manifest is none of the builds'")
	return -1
}

// TestReliabilityKill kills a build with SIGKILL at points spread evenly
// over the time a build takes, from start-up to the end of its writing,
// each build switching the output from one version of the sources to the
// other. After every kill the output must be entirely the previous build
// or entirely the next.
func TestReliabilityKill(t *testing.T) {
	stapler := bin(t)
	files, kills := 300, 50
	if *reliabilityFull {
		files, kills = 1200, 200
	}
	p := newRelProject(t, t.TempDir(), "", files)
	var want [][]byte
	for v := range 2 {
		p.setVersion(t, v)
		p.build(t, stapler)
		data, err := consistent(p.out)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, data)
	}
	// How long a build of every change takes: the slowest of three, each
	// from one version to the other.
	var whole time.Duration
	for v := range 3 {
		p.setVersion(t, v%2)
		start := time.Now()
		p.build(t, stapler)
		whole = max(whole, time.Since(start))
	}

	visible, outcome := 0, map[string]int{}
	t.Logf("a whole build: %v", whole)
	gens := func() map[string]bool {
		names, _ := filepath.Glob(filepath.Join(filepath.Dir(p.out), ".static.gen-*"))
		set := map[string]bool{}
		for _, n := range names {
			set[n] = true
		}
		return set
	}
	// touched reports whether anything in a generation that the output
	// does not link to changed since t: a build wrote the next one (a new
	// one, or a spare made anew: every link or removal changes a change
	// time).
	touched := func(since time.Time) bool {
		current, _ := os.Readlink(p.out)
		found := false
		for g := range gens() {
			if filepath.Base(g) == current {
				continue
			}
			filepath.WalkDir(g, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if info, err := d.Info(); err == nil {
					if st, ok := info.Sys().(*syscall.Stat_t); ok && time.Unix(st.Ctim.Unix()).After(since) {
						found = true
						return filepath.SkipAll
					}
				}
				return nil
			})
		}
		return found
	}
	kill := func(i int, after time.Duration) {
		next := 1 - visible
		p.setVersion(t, next)
		before := gens()
		began := time.Now()
		cmd := exec.Command(stapler, "build", "-q", "-c", p.config)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Kill()
		err := cmd.Wait()
		visible = checkOutput(t, stapler, p.out, want)
		started := touched(began) // a generation the killed build began
		for g := range gens() {
			started = started || !before[g]
		}
		switch {
		case err == nil:
			outcome["finished before the kill"]++
		case visible == next:
			outcome["killed after the switch"]++
		case started:
			outcome["killed while writing the next generation"]++
		default:
			outcome["killed before writing"]++
		}
		if visible != next && err == nil {
			t.Fatalf("kill %d: a build that finished left the previous output", i)
		}
	}
	for i := range kills {
		kill(i, whole*time.Duration(2*i+1)/time.Duration(2*kills))
	}
	// On a loaded machine the phases stretch unevenly: until a kill has
	// landed while a build wrote, more kills, at random points of the
	// build's second half, where the writing is: as many as three times
	// the first kills (in one run beside the bundler's tests, without
	// -race, every kill of the first hundred landed before the writing).
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for i := 0; outcome["killed while writing the next generation"] == 0 && i < 3*kills; i++ {
		kill(kills+i, whole/2+time.Duration(r.Int64N(int64(whole/2))))
	}
	t.Logf("kills over %v (a whole build), %d files: %v", whole.Round(time.Millisecond), files, outcome)
	if outcome["killed while writing the next generation"] == 0 {
		t.Errorf("no kill landed while a build wrote: the suite did not test one")
	}
	// What the kills left, the next build removes.
	p.build(t, stapler)
	if left := gens(); len(left) > 2 {
		t.Errorf("after a good build, %d generations are left beside the output, want the current one and the previous: %v", len(left), left)
	}
}

// TestReliabilityConcurrent runs two and then three builds of different
// sources into one output at once, with a prune keeping only the current
// build in every other round: each round must leave an output that is
// entirely one build's, and every command must succeed.
func TestReliabilityConcurrent(t *testing.T) {
	stapler := bin(t)
	rounds := 6
	if *reliabilityFull {
		rounds = 20
	}
	out := filepath.Join(t.TempDir(), "static")
	var projects []*relProject
	var want [][]byte
	for v := range 3 {
		p := newRelProject(t, t.TempDir(), out, 90)
		p.setVersion(t, v)
		p.build(t, stapler)
		data, err := consistent(out)
		if err != nil {
			t.Fatal(err)
		}
		projects, want = append(projects, p), append(want, data)
	}
	for _, n := range []int{2, 3} {
		for round := range rounds {
			var wg sync.WaitGroup
			errs := make([]error, n+1)
			for i, p := range projects[:n] {
				wg.Go(func() {
					if out, err := exec.Command(stapler, "build", "-q", "-c", p.config).CombinedOutput(); err != nil {
						errs[i] = fmt.Errorf("build: %v\n%s", err, out)
					}
				})
			}
			if round%2 == 1 {
				wg.Go(func() {
					if out, err := exec.Command(stapler, "prune", "--keep", "1", "--min-age", "0s", out).CombinedOutput(); err != nil {
						errs[n] = fmt.Errorf("prune: %v\n%s", err, out)
					}
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("%d at once, round %d: %v", n, round, err)
			}
			checkOutput(t, stapler, out, want)
		}
	}
}

// TestReliabilityFullDisk builds into a small tmpfs until the disk is
// full: the build must fail with exit status 2, the previous output must
// be whole, and the failed build's generation must be gone.
func TestReliabilityFullDisk(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("mounts a tmpfs: Linux only")
	}
	stapler := bin(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mnt).CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mount a tmpfs (the suite runs as root in CI): %v %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs (run as root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	out := filepath.Join(mnt, "static")
	p := newRelProject(t, t.TempDir(), out, 90)
	p.setVersion(t, 0)
	p.build(t, stapler)
	before, err := consistent(out)
	if err != nil {
		t.Fatal(err)
	}
	// A 4 MB image cannot fit.
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i * 7 % 251)
	}
	if err := os.WriteFile(filepath.Join(p.dir, "static", "img", "big.png"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	p.setVersion(t, 1)
	cmd := exec.Command(stapler, "build", "-q", "-c", p.config)
	msg, err := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(msg), "no space left on device") {
		t.Fatalf("build onto a full disk: %v, want exit status 2 naming the full disk:\n%s", err, msg)
	}
	if after := checkOutput(t, stapler, out, [][]byte{before}); after != 0 {
		t.Fatal("unreachable")
	}
	gens, _ := filepath.Glob(filepath.Join(mnt, ".static.gen-*"))
	if len(gens) != 1 {
		t.Errorf("generations beside the output after the failed build: %v, want only the current one", gens)
	}
}
