package s3

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The examples of AWS's documentation of Signature Version 4 for S3
// ("Examples of signature calculations", and "Authenticating requests:
// using query parameters"): the keys, the day and the signatures it
// gives.
var (
	exampleCreds = creds{id: "AKIAIOSFODNN7EXAMPLE", secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	exampleTime  = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
)

func TestSign(t *testing.T) {
	for _, tc := range []struct {
		name, method, url string
		header            http.Header
		payload           string
		want              string
	}{
		{
			name:    "GET Object",
			method:  http.MethodGet,
			url:     "https://examplebucket.s3.amazonaws.com/test.txt",
			header:  http.Header{"Range": {"bytes=0-9"}},
			payload: emptySHA256,
			want:    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
		},
		{
			name:    "PUT Object",
			method:  http.MethodPut,
			url:     "https://examplebucket.s3.amazonaws.com/test$file.text",
			header:  http.Header{"Date": {"Fri, 24 May 2013 00:00:00 GMT"}, "X-Amz-Storage-Class": {"REDUCED_REDUNDANCY"}},
			payload: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", // "Welcome to Amazon S3."
			want:    "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(tc.method, "https://examplebucket.s3.amazonaws.com/", nil)
			if err != nil {
				t.Fatal(err)
			}
			// The path as objectURL makes it: escaped as SigV4 signs it.
			u, _ := url.Parse(tc.url)
			u.RawPath = uriEscape(u.Path, true)
			r.URL = u
			r.Header = tc.header
			sign(r, exampleCreds, "us-east-1", tc.payload, exampleTime)
			if got := r.Header.Get("Authorization"); got != tc.want {
				t.Errorf("Authorization:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestPresign(t *testing.T) {
	u := &url.URL{Scheme: "https", Host: "examplebucket.s3.amazonaws.com", Path: "/test.txt"}
	got := presign(u, exampleCreds, "us-east-1", 24*time.Hour, exampleTime)
	const want = "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
	if !strings.Contains(got.RawQuery, want) {
		t.Errorf("presigned query %s\nlacks %s", got.RawQuery, want)
	}
	if q := got.Query(); q.Get("X-Amz-Expires") != "86400" || q.Get("X-Amz-Credential") != "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request" {
		t.Errorf("presigned query %v", q)
	}
}

func TestURIEscape(t *testing.T) {
	for in, want := range map[string]string{
		"css/app.3f2a.css":  "css/app.3f2a.css",
		"a b+c&d=e/f~g_h-i": "a%20b%2Bc%26d%3De/f~g_h-i",
		"é/ü":               "%C3%A9/%C3%BC",
		"test$file.text":    "test%24file.text",
	} {
		if got := uriEscape(in, true); got != want {
			t.Errorf("uriEscape(%q, true) = %q, want %q", in, got, want)
		}
	}
	if got := uriEscape("a/b c", false); got != "a%2Fb%20c" {
		t.Errorf("uriEscape in a query = %q", got)
	}
}

// TestObjectURL: where each kind of endpoint puts the bucket and the key.
func TestObjectURL(t *testing.T) {
	for _, tc := range []struct {
		endpoint, bucket string
		pathStyle        bool
		want             string
	}{
		{"", "static", false, "https://static.s3.eu-west-1.amazonaws.com/site/a%20b.css"},
		{"", "static", false, "https://static.s3.cn-north-1.amazonaws.com.cn/site/a%20b.css"},
		{"", "static", true, "https://s3.eu-west-1.amazonaws.com/static/site/a%20b.css"},
		{"", "static.example.com", false, "https://s3.eu-west-1.amazonaws.com/static.example.com/site/a%20b.css"},
		{"https://s3.eu-west-1.amazonaws.com", "static", false, "https://static.s3.eu-west-1.amazonaws.com/site/a%20b.css"},
		{"http://127.0.0.1:8333", "static", false, "http://127.0.0.1:8333/static/site/a%20b.css"},
		{"https://minio.example.com:443", "static", false, "https://minio.example.com/static/site/a%20b.css"},
	} {
		t.Setenv("AWS_ACCESS_KEY_ID", "id")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
		c, err := New(t.Context(), Config{Endpoint: tc.endpoint, Bucket: tc.bucket, Prefix: "site/", PathStyle: tc.pathStyle})
		if err != nil {
			t.Fatal(err)
		}
		region := "eu-west-1"
		if strings.Contains(tc.want, "cn-north-1") {
			region = "cn-north-1"
		}
		if got := c.objectURL(region, "a b.css", nil).String(); got != tc.want {
			t.Errorf("endpoint %q, bucket %q, path style %v: %s, want %s", tc.endpoint, tc.bucket, tc.pathStyle, got, tc.want)
		}
	}
}
