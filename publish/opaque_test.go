package publish

import (
	"bytes"
	"crypto/rand"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/manifest"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// opaqueETags carries a client's requests to the real server and gives
// its answers the ETags of a bucket that encrypts with KMS: a new random
// one for each object stored, never the MD5 of the bytes, the same in the
// answer to the PUT, in listings and in the headers of GETs. It counts the
// requests by method.
type opaqueETags struct {
	bucket string

	mu    sync.Mutex
	etags map[string]string // by object key, as stored through it
	n     map[string]int
}

func (o *opaqueETags) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n, o.etags = map[string]int{}, map[string]string{}
	}
	o.n[r.Method]++
	key, isObject := strings.CutPrefix(r.URL.Path, "/"+o.bucket+"/")
	switch {
	case r.Method == http.MethodPut && isObject && resp.StatusCode == http.StatusOK:
		o.etags[key] = rand.Text()
		resp.Header.Set("ETag", strconv.Quote(o.etags[key]))
	case isObject && key != "" && resp.Header.Get("ETag") != "":
		if e, ok := o.etags[key]; ok {
			resp.Header.Set("ETag", strconv.Quote(e))
		}
	case r.Method == http.MethodGet && r.URL.Query().Has("list-type"):
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		body = contents.ReplaceAllFunc(body, func(c []byte) []byte {
			k := keyElement.FindSubmatch(c)
			if k == nil {
				return c
			}
			e, ok := o.etags[html.UnescapeString(string(k[1]))]
			if !ok {
				return c
			}
			return etagElement.ReplaceAllLiteral(c, []byte("<ETag>&#34;"+e+"&#34;</ETag>"))
		})
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return resp, nil
}

// An object of a listing, and its key and ETag, in whichever order.
var (
	contents    = regexp.MustCompile(`(?s)<Contents>.*?</Contents>`)
	keyElement  = regexp.MustCompile(`<Key>(.*?)</Key>`)
	etagElement = regexp.MustCompile(`<ETag>.*?</ETag>`)
)

func (o *opaqueETags) take() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.n
	o.n = map[string]int{}
	return n
}

// TestPublishOpaqueETags publishes to a bucket whose ETags are not the MD5
// of the bytes (SSE-KMS): a plain copy's ETag never equals its hashed
// file's, so without the record of published objects every plain copy
// would go up on every publish. With it, a publish with nothing new
// stores nothing, and one image changed stores what it does on any
// bucket, and the record.
func TestPublishOpaqueETags(t *testing.T) {
	s, target, c := server(t, "kms/")
	kms := &opaqueETags{bucket: s.Bucket}
	target.Transport = kms
	config := project(t)
	dir, m1 := build(t, config)
	first, err := os.ReadFile(filepath.Join(dir, manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Publish(t.Context(), Options{Dir: dir, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	objects := objectsOf(t, dir, m1, nil)
	want := append(slices.Clone(objects), manifest.DjangoFileName, manifest.FileName, publishedKey)
	slices.Sort(want)
	if got := sorted(res.Uploaded); !slices.Equal(got, want) {
		t.Errorf("cold: uploaded %q\nwant %q", got, want)
	}
	if last := res.Uploaded[len(res.Uploaded)-1]; last != publishedKey {
		t.Errorf("cold: the last upload was %s, not the record", last)
	}
	kms.take()

	// Nothing new: the listing and the record, and no upload.
	res, err = Publish(t.Context(), Options{Dir: dir, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	if n := kms.take(); len(res.Uploaded) != 0 || n["GET"] != 2 || len(n) != 1 {
		t.Errorf("again: uploaded %q with requests %v; want a listing, the record's GET and nothing else", res.Uploaded, n)
	}
	if res.Present != len(objects) {
		t.Errorf("again: %d objects up to date, want %d", res.Present, len(objects))
	}

	// Without the record, the ETags show nothing: every plain copy and
	// manifest goes up again, and the record with them.
	if err := c.Delete(t.Context(), []string{publishedKey}); err != nil {
		t.Fatal(err)
	}
	res, err = Publish(t.Context(), Options{Dir: dir, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	var plain []string
	for _, k := range objects {
		if _, ok := m1.Files[k]; ok {
			plain = append(plain, k) // a plain copy: its name is a logical name
		} else if _, ok := m1.Files[strings.TrimSuffix(strings.TrimSuffix(k, ".br"), ".gz")]; ok {
			plain = append(plain, k)
		}
	}
	want = append(plain, manifest.DjangoFileName, manifest.FileName, publishedKey)
	slices.Sort(want)
	if got := sorted(res.Uploaded); !slices.Equal(got, want) {
		t.Errorf("the record deleted: uploaded %q\nwant %q", got, want)
	}

	// One image changed: what it changes, the history, the manifests and
	// the record.
	changeImage(t, config)
	dir, m2 := build(t, config)
	names := changed(m1, m2)
	res, err = Publish(t.Context(), Options{Dir: dir, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	history := []string{bundler.HistoryDir + "/" + manifest.ContentHash(first) + ".json", bundler.HistoryIndex}
	want = append(objectsOf(t, dir, m2, names), history...)
	want = append(want, manifest.DjangoFileName, manifest.FileName, publishedKey)
	slices.Sort(want)
	if got := sorted(res.Uploaded); !slices.Equal(got, want) {
		t.Errorf("one image changed: uploaded %q\nwant %q", got, want)
	}
	if _, err := Verify(t.Context(), target, nil); err != nil {
		t.Errorf("verify: %v", err)
	}

	// A record that is not one of this format is replaced, as if absent.
	if _, err := c.Put(t.Context(), publishedKey, strings.NewReader("{"), 1, s3.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err = Publish(t.Context(), Options{Dir: dir, Target: target})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(res.Uploaded, publishedKey) || len(res.Uploaded) < len(plain) {
		t.Errorf("a broken record: uploaded %d objects (%q…); want every plain copy again and the record", len(res.Uploaded), res.Uploaded[:min(3, len(res.Uploaded))])
	}
}
