package testenv

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestS3Server starts the real server and holds it to what stapler publish
// asks of one: a signed path-style PUT whose Content-MD5 and SHA-256
// checksum it checks, the object's headers given back on GET and HEAD,
// a listing by prefix, deletes, a wrong secret refused; then, killed and
// started again, it still holds what it held.
func TestS3Server(t *testing.T) {
	s := S3Server(t)
	if !strings.HasPrefix(s.Endpoint, "http://127.0.0.1:") {
		t.Fatalf("endpoint %s is not on 127.0.0.1", s.Endpoint)
	}

	body := []byte("body{color:red}\n")
	md := md5.Sum(body)
	sh := sha256.Sum256(body)
	put := func(key string, body []byte, md, sh []byte) *http.Response {
		t.Helper()
		h := http.Header{}
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Content-Encoding", "br")
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(md))
		h.Set("X-Amz-Checksum-Sha256", base64.StdEncoding.EncodeToString(sh))
		resp, err := s.do(http.MethodPut, "/"+s.Bucket+"/"+key, h, body)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := put("css/site.0123abcd.css", body, md[:], sh[:]); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s\n%s", resp.Status, readAll(t, resp))
	}
	if resp := put("other/x.css", body, md[:], sh[:]); resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT: %s\n%s", resp.Status, readAll(t, resp))
	}
	// Bytes that do not match their checksum are refused, and not stored.
	bad := []byte("body{color:blue}\n")
	if resp := put("css/bad-md5.css", bad, md[:], nil); resp.StatusCode/100 != 4 {
		t.Errorf("PUT with a wrong Content-MD5: %s, want a 4xx", resp.Status)
	}
	badMD := md5.Sum(bad)
	if resp := put("css/bad-sha.css", bad, badMD[:], sh[:]); resp.StatusCode/100 != 4 {
		t.Errorf("PUT with a wrong x-amz-checksum-sha256: %s, want a 4xx", resp.Status)
	}

	check := func(method string) {
		t.Helper()
		resp, err := s.do(method, "/"+s.Bucket+"/css/site.0123abcd.css", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", method, resp.Status)
		}
		for k, want := range map[string]string{
			"Content-Type":     "text/css; charset=utf-8",
			"Cache-Control":    "public, max-age=31536000, immutable",
			"Content-Encoding": "br",
			"Content-Length":   "16",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %s: %q, want %q", method, k, got, want)
			}
		}
		if got := readAll(t, resp); method == http.MethodGet && got != string(body) {
			t.Errorf("GET: %q, want %q", got, body)
		}
	}
	check(http.MethodGet)
	check(http.MethodHead)

	list := func() string {
		t.Helper()
		resp, err := s.do(http.MethodGet, "/"+s.Bucket+"?list-type=2&prefix=css%2F", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("ListObjectsV2: %s", resp.Status)
		}
		return readAll(t, resp)
	}
	if l := list(); !strings.Contains(l, "<Key>css/site.0123abcd.css</Key>") || strings.Contains(l, "other/") || strings.Contains(l, "bad-") {
		t.Errorf("listing of css/:\n%s", l)
	}

	// A wrong secret is refused.
	req, err := s.signedRequest(http.MethodGet, "/"+s.Bucket+"?list-type=2", nil, nil, s.SecretKey+"x")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("listing with a wrong secret: %s, want 403", resp.Status)
	}
	resp.Body.Close()

	s.Kill()
	if resp, err := http.Get(s.Endpoint + "/"); err == nil {
		resp.Body.Close()
		t.Fatalf("killed, the server still answers: %s", resp.Status)
	}
	s.Start()
	check(http.MethodGet)

	// DeleteObject, and DeleteObjects with its body's checksum.
	if resp, err := s.do(http.MethodDelete, "/"+s.Bucket+"/other/x.css", nil, nil); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %v %v", resp, err)
	}
	del := []byte(`<Delete><Object><Key>css/site.0123abcd.css</Key></Object></Delete>`)
	dm := md5.Sum(del)
	h := http.Header{}
	h.Set("Content-MD5", base64.StdEncoding.EncodeToString(dm[:]))
	if resp, err := s.do(http.MethodPost, "/"+s.Bucket+"?delete", h, del); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("DeleteObjects: %v %v", resp, err)
	}
	if l := list(); strings.Contains(l, "<Key>") {
		t.Errorf("listing after the deletes:\n%s", l)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
