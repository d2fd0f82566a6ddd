package s3

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
)

// The client against a real S3 server (versitygw, on 127.0.0.1): what it
// stores is what the server gives back, under keys that need escaping,
// through listings of several pages and deletions of several requests.

// client returns a client of prefix in a new server's bucket, with the
// server's keys in the environment, as the command would find them.
func client(t *testing.T, prefix string, transport http.RoundTripper) *Client {
	t.Helper()
	s := testenv.S3Server(t)
	clearAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", s.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s.SecretKey)
	c, err := New(t.Context(), Config{Bucket: s.Bucket, Prefix: prefix, Endpoint: s.Endpoint, Region: s.Region, PathStyle: true, Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clearAWS keeps the machine's own AWS settings out of a test.
func clearAWS(t *testing.T) {
	for _, env := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN",
		"AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(env, "")
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "")
	t.Setenv("AWS_CONFIG_FILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func put(t *testing.T, c *Client, key string, data []byte, o PutOptions) string {
	t.Helper()
	m, s := md5.Sum(data), sha256.Sum256(data)
	o.MD5, o.SHA256 = m[:], s[:]
	etag, err := c.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), o)
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	if want := fmt.Sprintf("%x", m); etag != want {
		t.Errorf("put %s: ETag %s, want the MD5 %s", key, etag, want)
	}
	return etag
}

// TestClient stores objects under keys that need escaping in a URL and in
// a signature, lists them over several pages, reads them back (with a
// presigned URL too, as a CDN would), and deletes them in several
// requests.
func TestClient(t *testing.T) {
	c := client(t, "site/", nil)
	c.pageSize, c.deleteBatch = 3, 4
	keys := []string{"a b.css", "css/app.3f2a.css", "img/é+ü&x=y.png", "js/~tilde_(1)!.js", "plus+sign.txt", "q?hash#.txt", "z/deep/er/file.json"}
	body := map[string][]byte{}
	for i, k := range keys {
		body[k] = bytes.Repeat([]byte(k+"\n"), i+1)
		put(t, c, k, body[k], PutOptions{ContentType: "text/plain; charset=utf-8", CacheControl: "public, max-age=31536000, immutable"})
	}
	// An object beside the prefix, which the client never sees.
	cfg := c.cfg
	cfg.Prefix = ""
	other, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	put(t, other, "outside.txt", []byte("no"), PutOptions{})

	objects, err := c.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, o := range objects {
		listed = append(listed, o.Key)
		if o.Size != int64(len(body[o.Key])) || o.ETag != fmt.Sprintf("%x", md5.Sum(body[o.Key])) || time.Since(o.LastModified) > time.Hour {
			t.Errorf("listed %+v, want size %d", o, len(body[o.Key]))
		}
	}
	want := slices.Sorted(slices.Values(keys))
	if !slices.Equal(listed, want) {
		t.Errorf("listed %q over pages of 3, want %q", listed, want)
	}

	for _, k := range keys {
		data, err := c.Get(t.Context(), k)
		if err != nil || !bytes.Equal(data, body[k]) {
			t.Errorf("get %s: %q, %v", k, data, err)
		}
		u, err := c.PresignGet(t.Context(), k, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, body[k]) || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("presigned GET of %s: %s %q, Cache-Control %q", k, resp.Status, got, resp.Header.Get("Cache-Control"))
		}
	}

	_, err = c.Get(t.Context(), "missing.css")
	var e *Error
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &e) || e.Status != 404 || e.URL != "s3://"+c.cfg.Bucket+"/site/missing.css" {
		t.Errorf("get of a missing key: %v (%+v)", err, e)
	}

	if err := c.Delete(t.Context(), keys); err != nil {
		t.Fatal(err)
	}
	if objects, err := c.List(t.Context()); err != nil || len(objects) != 0 {
		t.Errorf("after deleting every key in requests of 4: %v, %v", objects, err)
	}
	if objects, err := other.List(t.Context()); err != nil || len(objects) != 1 || objects[0].Key != "outside.txt" {
		t.Errorf("the object outside the prefix: %v, %v", objects, err)
	}
}

// failing answers 503 SlowDown to every nth request it carries, before it
// reaches the server, having read the request's body; the others it
// passes on.
type failing struct {
	n, count atomic.Int64
}

func (f *failing) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.count.Add(1)%f.n.Load() != 0 {
		return http.DefaultTransport.RoundTrip(r)
	}
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	const answer = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
	return &http.Response{StatusCode: 503, Status: "503 Service Unavailable", Header: http.Header{}, Body: io.NopCloser(strings.NewReader(answer)), Request: r}, nil
}

// TestRetry: a request answered "slow down" is sent again, its body read
// again from the start (the server checks it against its MD5); one that
// fails every time returns the server's answer.
func TestRetry(t *testing.T) {
	f := &failing{}
	f.n.Store(2) // every other request
	c := client(t, "", f)
	data := bytes.Repeat([]byte("retried "), 1000)
	put(t, c, "a.txt", data, PutOptions{})
	if got, err := c.Get(t.Context(), "a.txt"); err != nil || !bytes.Equal(got, data) {
		t.Errorf("get after a retried put: %d bytes, %v", len(got), err)
	}
	if f.count.Load() < 3 {
		t.Errorf("%d requests: the failures were not retried", f.count.Load())
	}

	f.n.Store(1) // every request
	_, err := c.Put(t.Context(), "b.txt", bytes.NewReader(data), int64(len(data)), PutOptions{})
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || e.Code != "SlowDown" || e.Op != "put" ||
		err.Error() != "put s3://"+c.cfg.Bucket+"/b.txt: the server answered 503 Service Unavailable, SlowDown: Please reduce your request rate" {
		t.Errorf("a put that always fails: %v", err)
	}
}

// TestWrongSecret: the server's refusal of a signature comes back as its
// code and message.
func TestWrongSecret(t *testing.T) {
	c := client(t, "", nil)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
	c, err := New(t.Context(), c.cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.List(t.Context())
	var e *Error
	if !errors.As(err, &e) || e.Status != 403 || e.Code != "SignatureDoesNotMatch" {
		t.Errorf("a listing with the wrong secret: %v", err)
	}
}

// TestWrongRegion: a bucket in another region than the one given answers
// as AWS does, a 301 PermanentRedirect naming its region in
// X-Amz-Bucket-Region; the client sends the request again, signed for
// that region, and the next ones too. (AWS's own behaviour: no local
// server has regions, so this server stands for it, checking the
// signature's scope.)
func TestWrongRegion(t *testing.T) {
	clearAWS(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	var scopes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		scopes = append(scopes, auth[strings.Index(auth, "/")+10:strings.Index(auth, "/s3/")])
		if !strings.Contains(auth, "/eu-west-1/s3/aws4_request") {
			w.Header().Set("X-Amz-Bucket-Region", "eu-west-1")
			w.WriteHeader(http.StatusMovedPermanently)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>`)
			return
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a.css</Key><Size>3</Size><ETag>"x"</ETag></Contents></ListBucketResult>`)
	}))
	defer srv.Close()
	c, err := New(t.Context(), Config{Bucket: "static", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if objects, err := c.List(t.Context()); err != nil || len(objects) != 1 || objects[0].Key != "a.css" {
			t.Fatalf("list: %v, %v", objects, err)
		}
	}
	if want := []string{"us-east-1", "eu-west-1", "eu-west-1"}; !slices.Equal(scopes, want) {
		t.Errorf("requests signed for %q, want %q", scopes, want)
	}
}

// TestRegionAsked: with no region given, the client asks the server for
// the bucket's (GetBucketLocation) once, and signs with it; a bucket that
// is not there says so, as the request that asked.
func TestRegionAsked(t *testing.T) {
	var asked []string // each request's query and the status answered
	c := client(t, "", roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err == nil {
			asked = append(asked, r.URL.RawQuery+" "+resp.Status)
		}
		return resp, err
	}))
	cfg := c.cfg
	cfg.Region = ""
	c, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	put(t, c, "a.txt", []byte("a"), PutOptions{})
	if objects, err := c.List(t.Context()); err != nil || len(objects) != 1 {
		t.Fatalf("list with the region asked: %v, %v", objects, err)
	}
	if len(asked) != 3 || asked[0] != "location= 200 OK" || c.region != "us-east-1" {
		t.Errorf("requests %q, region %q: want the location asked once, and answered", asked, c.region)
	}

	cfg.Bucket = "no-such-bucket"
	if c, err = New(t.Context(), cfg); err != nil {
		t.Fatal(err)
	}
	_, err = c.List(t.Context())
	var e *Error
	if !errors.Is(err, ErrNotFound) || !errors.As(err, &e) || e.Code != "NoSuchBucket" ||
		!strings.HasPrefix(err.Error(), "list s3://no-such-bucket/: the server answered 404 Not Found, NoSuchBucket") {
		t.Errorf("a listing of a missing bucket: %v", err)
	}
}

// roundTripper is a function that carries requests.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
