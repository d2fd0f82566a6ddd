package publish

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/stapler-build/stapler/manifest"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// The tests of this file run against a real S3 server on 127.0.0.1
// (testenv.S3Server: SeaweedFS), never a mock: what a bucket holds is
// read back through the S3 API and with plain HTTP GETs.

// server starts a test server of the test's own, gives the test its
// credentials in the environment, as the command would find them, and
// returns a target for prefix in the server's bucket and a client of the
// same prefix to look at what is there.
func server(t *testing.T, prefix string) (*testenv.S3, Target, *s3.Client) {
	t.Helper()
	s := testenv.S3Server(t)
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	target := Target{URL: "s3://" + s.Bucket + "/" + prefix, Endpoint: s.Endpoint, Region: s.Region, PathStyle: true, Concurrency: 4}
	c, _, err := target.connect(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s, target, c
}

// isolate keeps the machine's own AWS settings out of a test.
func isolate(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	for _, env := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", EnvEndpointS3, EnvEndpoint, "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(env, "")
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_CONFIG_FILE", none)
}

// project copies testdata/example to a directory of the test's and
// returns its config.
func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../testdata/example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "build"))
	return filepath.Join(dir, "assets.toml")
}

// build builds the project of config and returns its output directory
// and manifest.
func build(t *testing.T, config string) (string, *manifest.Manifest) {
	t.Helper()
	p, err := bundler.Load(bundler.Options{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Build(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return p.OutputDir(), res.Manifest
}

// objectsOf returns the keys a publish of the output dir stores for the
// names of m (every name when names is nil): each hashed file and its
// siblings, each plain copy and its siblings that the build wrote.
func objectsOf(t *testing.T, dir string, m *manifest.Manifest, names []string) []string {
	t.Helper()
	if names == nil {
		names = slices.Collect(maps.Keys(m.Files))
	}
	var keys []string
	local := localFiles(dir)
	for _, name := range names {
		e := m.Files[name]
		keys = append(keys, e.Path)
		if _, ok := local(name); ok {
			keys = append(keys, name)
		}
		for enc := range e.Encodings {
			keys = append(keys, e.Path+manifest.Suffix(enc))
			if _, ok := local(name + manifest.Suffix(enc)); ok {
				keys = append(keys, name+manifest.Suffix(enc))
			}
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// counting counts the requests a client makes, by method.
type counting struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[r.Method]++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func (c *counting) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = nil
	return n
}

func sorted(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return out
}

// TestPublishCold publishes the example's build to an empty prefix, then
// again with nothing new; reads the objects' headers back with plain
// HTTP GETs; and verifies the bucket.
func TestPublishCold(t *testing.T) {
	_, target, c := server(t, "cold/")
	dir, m := build(t, project(t))
	var requests counting
	target.Transport = &requests
	var progress []Progress
	res, err := Publish(t.Context(), Options{Dir: dir, Target: target, Progress: func(p Progress) { progress = append(progress, p) }})
	if err != nil {
		t.Fatal(err)
	}
	want := append(objectsOf(t, dir, m, nil), manifest.DjangoFileName, manifest.FileName)
	slices.Sort(want)
	if got := sorted(res.Uploaded); !slices.Equal(got, want) {
		t.Errorf("uploaded %d objects:\n%q\nwant %d:\n%q", len(got), got, len(want), want)
	}
	n := requests.take()
	if n["PUT"] != len(want) || n["GET"] != 1 || len(n) != 2 {
		t.Errorf("requests %v: want one listing and a PUT per object (%d)", n, len(want))
	}
	last := progress[len(progress)-1]
	if last.Done != len(want) || last.Total != len(want) || last.Bytes != res.Bytes || last.TotalBytes != res.Bytes {
		t.Errorf("the last progress %+v; uploaded %d objects, %d bytes", last, len(want), res.Bytes)
	}
	t.Logf("cold: %d objects, %d bytes", len(res.Uploaded), res.Bytes)

	// Nothing new: one listing, no upload.
	res, err = Publish(t.Context(), Options{Dir: dir, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	if n := requests.take(); len(res.Uploaded) != 0 || n["GET"] != 1 || len(n) != 1 {
		t.Errorf("again with nothing new: uploaded %q with requests %v; want one listing and nothing else", res.Uploaded, n)
	}
	if res.Present != len(want)-2 {
		t.Errorf("again: %d objects up to date, want %d", res.Present, len(want)-2)
	}

	// What a CDN fetching the objects gets.
	e := m.Files["css/site.css"]
	for _, tc := range []struct {
		key, file, encoding, cache string
	}{
		{e.Path, e.Path, "", manifest.HashedCacheControl},
		{e.Path + ".br", e.Path, "br", manifest.HashedCacheControl},
		{e.Path + ".gz", e.Path, "gzip", manifest.HashedCacheControl},
		{"css/site.css", "css/site.css", "", manifest.PlainCacheControl},
		{"css/site.css.gz", "css/site.css", "gzip", manifest.PlainCacheControl},
		{m.Files["img/paper.png"].Path, "img/paper.png", "", manifest.HashedCacheControl},
		{m.Files["fonts/inter.woff2"].Path, "fonts/inter.woff2", "", manifest.HashedCacheControl},
		{m.Files["js/dashboard.js"].Path, "js/dashboard.js", "", manifest.HashedCacheControl},
		{manifest.FileName, manifest.FileName, "", manifest.PlainCacheControl},
	} {
		t.Run(tc.key, func(t *testing.T) {
			u, err := c.PresignGet(t.Context(), tc.key, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			// No Accept-Encoding of Go's own, which would decode a gzip
			// object and drop its header.
			resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Get(u.String())
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %s, %v\n%s", tc.key, resp.Status, err, body)
			}
			local, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tc.key)))
			if err != nil {
				t.Fatal(err)
			}
			identity, err := os.Open(filepath.Join(dir, filepath.FromSlash(tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			defer identity.Close()
			ctype, err := manifest.ContentType(tc.file, identity)
			if err != nil {
				t.Fatal(err)
			}
			h := resp.Header
			if !bytes.Equal(body, local) {
				t.Errorf("the body is not the file's bytes")
			}
			if h.Get("Content-Type") != ctype || h.Get("Cache-Control") != tc.cache || h.Get("Content-Encoding") != tc.encoding {
				t.Errorf("Content-Type %q, Cache-Control %q, Content-Encoding %q; want %q, %q, %q",
					h.Get("Content-Type"), h.Get("Cache-Control"), h.Get("Content-Encoding"), ctype, tc.cache, tc.encoding)
			}
		})
	}

	if _, err := Verify(t.Context(), target, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// changeImage appends bytes to the example's img/paper.png, which
// css/base.css references, itself a source of the bundle css/site.css.
func changeImage(t *testing.T, config string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(filepath.Dir(config), "static", "img", "paper.png"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("changed"))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// changed returns the names whose hashed path differs between a and b.
func changed(a, b *manifest.Manifest) []string {
	var names []string
	for name, e := range b.Files {
		if a.Files[name].Path != e.Path {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// TestPublishOneChange publishes a build, changes one image and publishes
// the rebuild: exactly the image, what references it and the manifests go
// up (and the replaced manifest into the history), in that order.
func TestPublishOneChange(t *testing.T) {
	_, target, c := server(t, "change/")
	config := project(t)
	dir, m1 := build(t, config)
	first, err := os.ReadFile(filepath.Join(dir, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(t.Context(), Options{Dir: dir, Target: target}); err != nil {
		t.Fatal(err)
	}
	changeImage(t, config)
	dir, m2 := build(t, config)
	names := changed(m1, m2)
	if want := []string{"css/base.css", "css/site.css", "img/paper.png"}; !slices.Equal(names, want) {
		t.Fatalf("the change made %q anew, want %q", names, want)
	}
	var order []string
	res, err := Publish(t.Context(), Options{Dir: dir, Target: target, Uploaded: func(key string) { order = append(order, key) }})
	if err != nil {
		t.Fatal(err)
	}
	history := []string{bundler.HistoryDir + "/" + manifest.ContentHash(first) + ".json", bundler.HistoryIndex}
	want := append(objectsOf(t, dir, m2, names), history...)
	want = append(want, manifest.DjangoFileName, manifest.FileName)
	slices.Sort(want)
	if got := sorted(res.Uploaded); !slices.Equal(got, want) {
		t.Errorf("uploaded %q\nwant %q", got, want)
	}
	// The stages, in order: hashed files, plain copies, history, manifests.
	stage := func(key string) int {
		switch {
		case key == manifest.FileName || key == manifest.DjangoFileName:
			return 3
		case strings.HasPrefix(key, ".stapler/"):
			return 2
		}
		of := key
		for _, enc := range manifest.Encodings() {
			of = strings.TrimSuffix(of, manifest.Suffix(enc))
		}
		if _, _, ok := manifest.SplitHashed(path.Base(of)); ok {
			return 0
		}
		return 1
	}
	for i := 1; i < len(order); i++ {
		if stage(order[i]) < stage(order[i-1]) {
			t.Errorf("%s went up after %s", order[i], order[i-1])
		}
	}
	if order[len(order)-1] != manifest.FileName {
		t.Errorf("the last upload was %s, not the manifest", order[len(order)-1])
	}
	index, err := c.Get(t.Context(), bundler.HistoryIndex)
	if err != nil {
		t.Fatal(err)
	}
	if builds, err := bundler.HistoryBuilds(index); err != nil || !slices.Equal(builds, []string{path.Base(history[0])}) {
		t.Errorf("the bucket's history: %q, %v", builds, err)
	}
	if _, err := Verify(t.Context(), target, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// complete checks that the bucket's manifest, if any, names only objects
// the bucket holds: every hashed file and its recorded siblings.
func complete(ctx context.Context, c *s3.Client) error {
	objects, err := c.List(ctx)
	if err != nil {
		return err
	}
	there := map[string]int64{}
	for _, o := range objects {
		there[o.Key] = o.Size
	}
	if _, ok := there[manifest.FileName]; !ok {
		return nil
	}
	data, err := c.Get(ctx, manifest.FileName)
	if err != nil {
		return err
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return err
	}
	var missing []string
	for _, e := range m.Files {
		if there[e.Path] != e.Size {
			missing = append(missing, e.Path)
		}
		for enc, size := range e.Encodings {
			if there[e.Path+manifest.Suffix(enc)] != size {
				missing = append(missing, e.Path+manifest.Suffix(enc))
			}
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return errors.New("the bucket's manifest names objects it does not hold: " + strings.Join(missing, ", "))
	}
	return nil
}

// TestPublishKilled kills the server in the middle of a publish, in each
// stage, restarts it and publishes again: the bucket ends complete, the
// second run uploads none of what the first stored, and after every upload
// of either run the bucket's manifest names only objects it holds.
func TestPublishKilled(t *testing.T) {
	config := project(t)
	dir1, _ := build(t, config)
	v1 := t.TempDir()
	if err := os.CopyFS(v1, os.DirFS(dir1)); err != nil {
		t.Fatal(err)
	}
	m1, err := manifest.Load(os.DirFS(v1), manifest.FileName)
	if err != nil {
		t.Fatal(err)
	}
	changeImage(t, config)
	dir2, m2 := build(t, config)
	// The uploads of the rebuild: hashed files, plain copies, 2 of the
	// history, 2 manifests. Kill the server in each stage.
	var hashed, plain int
	for _, k := range objectsOf(t, dir2, m2, changed(m1, m2)) {
		if _, _, ok := manifest.SplitHashed(path.Base(strings.TrimSuffix(strings.TrimSuffix(k, ".br"), ".gz"))); ok {
			hashed++
		} else {
			plain++
		}
	}
	total := hashed + plain + 4
	for _, killAt := range []int{2, hashed + 2, hashed + plain + 1, total - 1} {
		t.Run(strconv.Itoa(killAt), func(t *testing.T) {
			s, target, c := server(t, "killed-"+strconv.Itoa(killAt)+"/")
			if _, err := Publish(t.Context(), Options{Dir: v1, Target: target}); err != nil {
				t.Fatal(err)
			}
			var killed atomic.Bool
			var checked int
			check := func(key string) {
				if killed.Load() {
					return
				}
				checked++
				if err := complete(t.Context(), c); err != nil {
					t.Errorf("after %s: %v", key, err)
				}
			}
			n := 0
			res1, err := Publish(t.Context(), Options{Dir: dir2, Target: target, Uploaded: func(key string) {
				check(key)
				if n++; n == killAt {
					killed.Store(true)
					s.Kill()
				}
			}})
			if killed.Load() {
				s.Start()
			}
			if err == nil {
				t.Fatalf("the publish went on with its server killed after %d uploads", killAt)
			}
			var se *s3.Error
			if !errors.As(err, &se) || !strings.HasPrefix(se.URL, target.URL) || se.URL == target.URL {
				t.Errorf("the error does not name the object: %v", err)
			}
			t.Logf("killed after %d uploads: %v", killAt, err)
			killed.Store(false)
			if err := complete(t.Context(), c); err != nil {
				t.Errorf("after the restart: %v", err)
			}
			res2, err := Publish(t.Context(), Options{Dir: dir2, Target: target, Uploaded: check})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range res2.Uploaded {
				if slices.Contains(res1.Uploaded, k) {
					t.Errorf("%s went up in both runs", k)
				}
			}
			if len(res1.Uploaded)+len(res2.Uploaded) > total || len(res1.Uploaded) < killAt {
				t.Errorf("%d uploads, then %d: want %d at least in the first, %d at most in all", len(res1.Uploaded), len(res2.Uploaded), killAt, total)
			}
			if checked < len(res2.Uploaded) {
				t.Errorf("checked the bucket %d times", checked)
			}
			if _, err := Verify(t.Context(), target, nil); err != nil {
				t.Errorf("verify: %v", err)
			}
			data, err := c.Get(t.Context(), manifest.FileName)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := manifest.Parse(data); err != nil || !maps.EqualFunc(got.Files, m2.Files, func(a, b manifest.Entry) bool { return a.Path == b.Path }) {
				t.Errorf("the bucket's manifest is not the rebuild's (%v)", err)
			}
		})
	}
}

// TestWrongCredentials: a wrong secret, a missing bucket and an
// unreachable endpoint each fail at the listing, before any upload, with
// the server's answer.
func TestWrongCredentials(t *testing.T) {
	s, target, c := server(t, "denied/")
	dir, _ := build(t, project(t))
	tests := []struct {
		name  string
		setup func(*Target)
		want  string
	}{
		{"wrong secret", func(*Target) { t.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey+"x") }, "list " + target.URL + ": the server answered 403"},
		{"unknown key", func(*Target) { t.Setenv("AWS_ACCESS_KEY_ID", "AKIASTAPLERNOSUCHKEY") }, "list " + target.URL + ": the server answered 4"},
		{"no bucket", func(tg *Target) { tg.URL = "s3://stapler-no-such-bucket/" }, "NoSuchBucket"},
		{"no server", func(tg *Target) { tg.Endpoint = "http://127.0.0.1:1" }, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
			t.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
			tg := target
			var requests counting
			tg.Transport = &requests
			tt.setup(&tg)
			res, err := Publish(t.Context(), Options{Dir: dir, Target: tg})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one saying %q", err, tt.want)
			}
			if res != nil || requests.take()["PUT"] != 0 {
				t.Errorf("it uploaded: %+v", res)
			}
		})
	}
	if objects, err := c.List(t.Context()); err != nil || len(objects) != 0 {
		t.Errorf("the prefix holds %d objects (%v)", len(objects), err)
	}
}

// TestVerifyAndPrune publishes three builds, then checks that the
// bucket's prune removes what the directory's prune removes, by the same
// policy, and that verify finds a missing and a broken object.
func TestVerifyAndPrune(t *testing.T) {
	_, target, c := server(t, "prune/")
	config := project(t)
	var dir string
	var ms []*manifest.Manifest
	for i := range 3 {
		if i > 0 {
			changeImage(t, config)
		}
		var m *manifest.Manifest
		dir, m = build(t, config)
		ms = append(ms, m)
		if _, err := Publish(t.Context(), Options{Dir: dir, Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	// A replaced manifest the history no longer lists, in both, as a
	// stapler that kept every one left it: both prunes remove it.
	const unlisted = bundler.HistoryDir + "/0123456789ab.json"
	if _, err := c.Put(t.Context(), unlisted, strings.NewReader("{}"), 2, s3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(unlisted)), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Add(time.Minute)
	for _, keep := range []int{1, 2, 3} {
		opts := bundler.PruneOptions{Keep: keep, MinAge: -1, Now: now, DryRun: true}
		inDir, err := bundler.Prune(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		inBucket, err := Prune(t.Context(), target, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(inBucket.Removed, inDir.Removed) || inBucket.Kept != inDir.Kept {
			t.Errorf("keep %d: the bucket's prune removes %q and keeps %d; the directory's %q and %d", keep, inBucket.Removed, inBucket.Kept, inDir.Removed, inDir.Kept)
		}
		if keep == 1 && len(inBucket.Removed) == 0 {
			t.Errorf("keep 1 removes nothing")
		}
		if !slices.Contains(inBucket.Removed, unlisted) {
			t.Errorf("keep %d: the bucket's prune keeps %s, which its history no longer lists", keep, unlisted)
		}
	}
	// Young objects stay.
	if res, err := Prune(t.Context(), target, bundler.PruneOptions{Keep: 1}); err != nil || len(res.Removed) != 0 {
		t.Errorf("the default min-age removed %q (%v)", res.Removed, err)
	}
	res, err := Prune(t.Context(), target, bundler.PruneOptions{Keep: 2, MinAge: -1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	first := ms[0].Files["img/paper.png"].Path
	if !slices.Contains(res.Removed, first) {
		t.Errorf("keep 2 kept the first build's %s: removed %q", first, res.Removed)
	}
	objects, err := c.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objects {
		if slices.Contains(res.Removed, o.Key) {
			t.Errorf("%s is still there", o.Key)
		}
	}
	if _, err := Verify(t.Context(), target, nil); err != nil {
		t.Errorf("verify after the prune: %v", err)
	}

	// A missing object and a broken one.
	css := ms[2].Files["css/site.css"].Path
	if err := c.Delete(t.Context(), []string{css + ".br"}); err != nil {
		t.Fatal(err)
	}
	png := ms[2].Files["img/paper.png"]
	broken := bytes.Repeat([]byte{'x'}, int(png.Size))
	if _, err := c.Put(t.Context(), png.Path, bytes.NewReader(broken), png.Size, s3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(t.Context(), target, nil)
	var list bundler.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("verify: %v, want the problems", err)
	}
	var got []string
	for _, d := range list {
		got = append(got, d.Pos.File+" "+d.Code)
	}
	want := []string{
		target.URL + css + ".br " + bundler.CodeMissingFile,
		target.URL + "img/paper.png " + bundler.CodeFileMismatch, // the plain copy is not the hashed file's bytes
		target.URL + png.Path + " " + bundler.CodeFileMismatch,
	}
	slices.Sort(got)
	got = slices.Compact(got) // the broken file's integrity and hash
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("verify found %q, want %q\n%v", got, want, err)
	}
}

// TestCredentialsFiles: with nothing in the environment, the credentials
// come from the shared files, the profile AWS_PROFILE names; and with none
// anywhere, the publish says so before any request.
func TestCredentialsFiles(t *testing.T) {
	s, target, c := server(t, "files/")
	dir, _ := build(t, project(t))
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	files := t.TempDir()
	credentials := filepath.Join(files, "credentials")
	os.WriteFile(credentials, []byte("[default]\naws_access_key_id = AKIADEFAULTWRONG\naws_secret_access_key = wrong\n\n[deploy]\naws_access_key_id = "+s.AccessKey+"\naws_secret_access_key = "+s.SecretKey+"\n"), 0o600)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(files, "config"))

	if _, err := Publish(t.Context(), Options{Dir: dir, Target: target}); err == nil || !strings.Contains(err.Error(), "the server answered 4") {
		t.Errorf("with the default profile's wrong keys: %v", err)
	}
	t.Setenv("AWS_PROFILE", "deploy")
	if _, err := Publish(t.Context(), Options{Dir: dir, Target: target}); err != nil {
		t.Errorf("with AWS_PROFILE=deploy: %v", err)
	}

	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(files, "none"))
	// No instance role either.
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var requests counting
	target.Transport = &requests
	_, err := Publish(t.Context(), Options{Dir: dir, Target: target})
	if err == nil || !strings.Contains(err.Error(), "no credentials") {
		t.Errorf("with no credentials anywhere: %v", err)
	}
	if n := requests.take(); len(n) != 0 {
		t.Errorf("with no credentials, it made requests: %v", n)
	}
	if objects, err := c.List(t.Context()); err != nil || len(objects) == 0 {
		t.Errorf("the profile's publish left %d objects (%v)", len(objects), err)
	}
}
