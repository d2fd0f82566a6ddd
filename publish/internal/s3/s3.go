// Package s3 is stapler publish's S3 client: the few calls a publish, a
// verify and a prune of a bucket make (list a prefix, put, get, delete),
// signed with AWS Signature Version 4 (sign.go), each failure an [Error]
// that names the object and gives the server's answer. It imports nothing
// of stapler's, and nothing but the standard library: a client library's
// package initialisation (minio-go's was 4 ms) would be paid by every
// stapler command, a build with nothing to do included.
//
// Credentials come from the standard places only, in the AWS SDKs'
// order: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), the shared files (~/.aws/credentials and
// ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE,
// with AWS_PROFILE: a profile's keys, credential_process or SSO token),
// then the instance's role (web identity, ECS and EC2 metadata;
// AWS_EC2_METADATA_DISABLED=true leaves EC2's out): credentials.go.
package s3

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config says which bucket and prefix a [Client] works in, and how to
// reach them.
type Config struct {
	Bucket string // the bucket's name
	Prefix string // "" or a prefix ending in a slash: every key is below it
	// Endpoint is "http://host:port" or "https://host"; "" for AWS.
	Endpoint string
	Region   string // "" to ask the server (one request more)
	// PathStyle puts the bucket in the URL's path; otherwise the client
	// chooses (the host name on AWS, the path elsewhere).
	PathStyle bool
	// Transport, when set, carries the requests (a test counts them).
	Transport http.RoundTripper
	// Attempts is how many times a request is tried before its error is
	// returned; 0 means 3.
	Attempts int
}

// Object is an object of the prefix, as a listing shows it.
type Object struct {
	Key  string // relative to the prefix
	Size int64
	// ETag is unquoted: the MD5 of the bytes, in hex, for a single PUT,
	// except on buckets that encrypt with KMS or a customer's key, where
	// it is opaque.
	ETag         string
	LastModified time.Time
}

// PutOptions are the headers an object is stored with.
type PutOptions struct {
	ContentType, ContentEncoding, CacheControl string
	// MD5 and SHA256 are the digests of the bytes, which the request
	// carries (Content-MD5, and the signed payload's hash) for the server
	// to check what it received against.
	MD5, SHA256 []byte
}

// Client works on the objects under one prefix of one bucket.
type Client struct {
	cfg     Config
	http    *http.Client
	creds   *credentialSource
	scheme  string
	host    string // the endpoint's host[:port]; AWS's is the region's
	aws     bool   // no endpoint was given: AWS's, whose host the region names
	amazon  bool   // the endpoint is AWS's: the bucket goes in the host name
	display string // "s3://bucket/prefix/"

	// How many keys a listing's page and a deletion's request hold at
	// most: S3's limits, smaller in tests.
	pageSize, deleteBatch int

	mu     sync.Mutex
	region string // the bucket's, once known
}

// awsHost is the endpoint of a Config without one.
const awsHost = "s3.amazonaws.com"

// New makes a client, with the credentials of the standard places; an
// error if there are none at all. It makes no request but those the
// credentials need.
func New(ctx context.Context, cfg Config) (*Client, error) {
	host, scheme := awsHost, "https"
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("endpoint %q is not an http:// or https:// URL", cfg.Endpoint)
		}
		host, scheme = u.Host, u.Scheme
		// The Host header a browser or curl sends for a presigned URL
		// leaves the default port out: so must the signature.
		if h, port, err := net.SplitHostPort(host); err == nil && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
			host = h
			if strings.Contains(h, ":") {
				host = "[" + h + "]"
			}
		}
	}
	creds, err := newCredentialSource(ctx, &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("no credentials for %s (%v): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE), or run with an instance role", host, err)
	}
	transport := cfg.Transport
	if transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		t.ResponseHeaderTimeout = time.Minute
		// The stored bytes, never decoded on the way.
		t.DisableCompression = true
		transport = t
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	return &Client{
		cfg:     cfg,
		http:    &http.Client{Transport: transport},
		creds:   creds,
		scheme:  scheme,
		host:    host,
		aws:     cfg.Endpoint == "",
		amazon:  strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn"),
		region:  cfg.Region,
		display: "s3://" + cfg.Bucket + "/" + cfg.Prefix,

		pageSize:    1000,
		deleteBatch: 1000,
	}, nil
}

// metadataDisabled reports whether AWS_EC2_METADATA_DISABLED=true rules
// out the instance's role, as it does for the AWS SDKs, and no web
// identity or container credentials are named: then the instance's
// metadata service is not asked.
func metadataDisabled() bool {
	if !strings.EqualFold(os.Getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		return false
	}
	for _, env := range []string{"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if os.Getenv(env) != "" {
			return false
		}
	}
	return true
}

// URL returns the s3:// URL of a key of the prefix, for messages.
func (c *Client) URL(key string) string { return c.display + key }

// List returns every object under the prefix, in key order. It is the
// first request of every run, and its error says what is wrong with the
// endpoint, the bucket or the credentials.
func (c *Client) List(ctx context.Context) ([]Object, error) {
	var out []Object
	token := ""
	for {
		q := url.Values{"list-type": {"2"}, "prefix": {c.cfg.Prefix}, "max-keys": {strconv.Itoa(c.pageSize)}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		var page struct {
			IsTruncated           bool
			NextContinuationToken string
			Contents              []struct {
				Key          string
				Size         int64
				ETag         string
				LastModified time.Time
			}
		}
		err := c.do(ctx, "list", "", request{method: http.MethodGet, query: q}, func(resp *http.Response) error {
			return xml.NewDecoder(resp.Body).Decode(&page)
		})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			out = append(out, Object{
				Key:          strings.TrimPrefix(o.Key, c.cfg.Prefix),
				Size:         o.Size,
				ETag:         strings.Trim(o.ETag, `"`),
				LastModified: o.LastModified,
			})
		}
		if !page.IsTruncated {
			break
		}
		if page.NextContinuationToken == "" || page.NextContinuationToken == token {
			return nil, c.fail("list", "", 0, nil, errors.New("a truncated listing with no way on (no new NextContinuationToken)"))
		}
		token = page.NextContinuationToken
	}
	slices.SortFunc(out, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// Put stores size bytes of r, from its start, under key in one request,
// and returns the object's ETag, unquoted. r is read again from its start
// when the request is tried again.
func (c *Client) Put(ctx context.Context, key string, r io.ReadSeeker, size int64, o PutOptions) (string, error) {
	h := http.Header{}
	for name, v := range map[string]string{"Content-Type": o.ContentType, "Content-Encoding": o.ContentEncoding, "Cache-Control": o.CacheControl} {
		if v != "" {
			h.Set(name, v)
		}
	}
	if o.MD5 != nil {
		h.Set("Content-MD5", base64.StdEncoding.EncodeToString(o.MD5))
	}
	payload := unsignedPayload
	if o.SHA256 != nil {
		payload = hex.EncodeToString(o.SHA256)
	}
	var etag string
	err := c.do(ctx, "put", key, request{method: http.MethodPut, key: key, header: h, body: r, size: size, payload: payload}, func(resp *http.Response) error {
		etag = strings.Trim(resp.Header.Get("ETag"), `"`)
		return nil
	})
	return etag, err
}

// Get returns the bytes of key; an error that wraps [ErrNotFound] when
// there is no such object.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := c.do(ctx, "get", key, request{method: http.MethodGet, key: key}, func(resp *http.Response) (err error) {
		data, err = io.ReadAll(resp.Body)
		return err
	})
	return data, err
}

// Delete removes keys, in batches of a thousand; its error lists each
// key the server did not remove, with its answer.
func (c *Client) Delete(ctx context.Context, keys []string) error {
	var errs []error
	for batch := range slices.Chunk(keys, c.deleteBatch) {
		type object struct {
			Key string
		}
		body := struct {
			XMLName xml.Name `xml:"Delete"`
			Quiet   bool
			Object  []object
		}{Quiet: true}
		for _, k := range batch {
			body.Object = append(body.Object, object{c.cfg.Prefix + k})
		}
		data, err := xml.Marshal(body)
		if err != nil {
			return err
		}
		sum := md5.Sum(data)
		sha := sha256.Sum256(data)
		h := http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}, "Content-Type": {"application/xml"}}
		var result struct {
			Error []struct {
				Key, Code, Message string
			}
		}
		err = c.do(ctx, "delete", "", request{method: http.MethodPost, query: url.Values{"delete": {""}}, header: h,
			body: bytes.NewReader(data), size: int64(len(data)), payload: hex.EncodeToString(sha[:])},
			func(resp *http.Response) error { return xml.NewDecoder(resp.Body).Decode(&result) })
		if err != nil {
			return err
		}
		for _, e := range result.Error {
			key := strings.TrimPrefix(e.Key, c.cfg.Prefix)
			errs = append(errs, &Error{Op: "delete", URL: c.URL(key), Code: e.Code, Message: e.Message, Err: errors.New(e.Code + ": " + e.Message)})
		}
	}
	return errors.Join(errs...)
}

// PresignGet returns a URL that GETs key without credentials until it
// expires: what a CDN's fetch of the object sees, headers included.
func (c *Client) PresignGet(ctx context.Context, key string, expires time.Duration) (*url.URL, error) {
	region, err := c.bucketRegion(ctx, "presign", key)
	if err != nil {
		return nil, err
	}
	cr, err := c.creds.get(ctx)
	if err != nil {
		return nil, c.fail("presign", key, 0, nil, err)
	}
	return presign(c.objectURL(region, key, nil), cr, region, expires, time.Now()), nil
}

// request is what a call asks of the server; do sends it.
type request struct {
	method  string
	key     string // relative to the prefix; "" for the bucket
	query   url.Values
	header  http.Header
	body    io.ReadSeeker // nil for none
	size    int64
	payload string // the body's hex SHA-256 or unsignedPayload; "" for no body
}

// do sends req, signed, trying it again (up to Config.Attempts times in
// all) when no answer came or the server answered that it is busy or
// failed, and hands a successful answer to read. Its error is an [Error]
// of op on key.
func (c *Client) do(ctx context.Context, op, key string, req request, read func(*http.Response) error) error {
	region, err := c.bucketRegion(ctx, op, key)
	if err != nil {
		return err
	}
	moved := false
	for attempt := 1; ; attempt++ {
		status, answer, err := c.once(ctx, region, req, read)
		if err == nil {
			return nil
		}
		// A bucket in another region than the one given: AWS says which
		// (x-amz-bucket-region, or the error's Region), and the request
		// goes there, once, as the SDKs send it.
		if answer != nil && answer.Region != "" && answer.Region != region && !moved && wrongRegion(status, answer.Code) {
			moved, region = true, answer.Region
			c.mu.Lock()
			c.region = region
			c.mu.Unlock()
			attempt--
			continue
		}
		if attempt >= c.cfg.Attempts || ctx.Err() != nil || !retryable(status, answer) {
			return c.fail(op, key, status, answer, err)
		}
		// 100 ms, 200 ms, 400 ms…, with up to half again at random, so
		// that the uploads that failed together do not come back
		// together.
		wait := 100 * time.Millisecond << min(attempt-1, 6)
		wait += rand.N(wait / 2)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return c.fail(op, key, status, answer, ctx.Err())
		}
	}
}

// errorAnswer is S3's XML error document, and the bucket's region when
// the answer names it (its X-Amz-Bucket-Region header, else the
// document's Region).
type errorAnswer struct {
	Code, Message string
	Region        string
}

// wrongRegion reports whether an error answer says the request was sent
// to, or signed for, a region the bucket is not in.
func wrongRegion(status int, code string) bool {
	switch code {
	case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
		return true
	}
	return status == http.StatusMovedPermanently
}

// once sends req once. status is the server's answer's, and answer its
// error document, when the answer was an error; 0 and nil when none came.
func (c *Client) once(ctx context.Context, region string, req request, read func(*http.Response) error) (status int, answer *errorAnswer, err error) {
	cr, err := c.creds.get(ctx)
	if err != nil {
		return 0, nil, err
	}
	var body io.Reader
	if req.body != nil {
		if _, err := req.body.Seek(0, io.SeekStart); err != nil {
			return 0, nil, err
		}
		body = io.LimitReader(req.body, req.size)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, c.objectURL(region, req.key, req.query).String(), body)
	if err != nil {
		return 0, nil, err
	}
	if req.body != nil {
		hr.ContentLength = req.size
		if req.size == 0 {
			hr.Body = http.NoBody
		}
	}
	maps.Copy(hr.Header, req.header)
	// The stored bytes: a precompressed sibling stored with its
	// Content-Encoding must not be decoded on the way, as Go's transport
	// does when it asked for gzip itself.
	hr.Header.Set("Accept-Encoding", "identity")
	payload := cmp.Or(req.payload, emptySHA256)
	sign(hr, cr, region, payload, time.Now())
	resp, err := c.http.Do(hr)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		if err := read(resp); err != nil {
			return 0, nil, err // cut short: tried again
		}
		return 0, nil, nil
	}
	answer = &errorAnswer{}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(data, answer) != nil {
		answer = &errorAnswer{}
	}
	answer.Region = cmp.Or(resp.Header.Get("X-Amz-Bucket-Region"), answer.Region)
	return resp.StatusCode, answer, fmt.Errorf("%s", resp.Status)
}

// retryable reports whether an answer, or its absence (status 0), is
// worth trying the request again for.
func retryable(status int, answer *errorAnswer) bool {
	if status == 0 || status >= 500 || status == http.StatusTooManyRequests {
		return true
	}
	if answer != nil {
		switch answer.Code {
		case "RequestTimeout", "SlowDown", "RequestTimeTooSkewed", "ExpiredToken", "InternalError":
			return true
		}
	}
	return false
}

// objectURL is the URL of key (relative to the prefix; "" for the
// bucket) with query q: the bucket in the host name on AWS (the
// region's host, s3.REGION.amazonaws.com, when no endpoint was given),
// when its name allows and PathStyle is not set; in the path everywhere
// else.
func (c *Client) objectURL(region, key string, q url.Values) *url.URL {
	host := c.host
	if c.aws {
		host = "s3." + region + "." + awsDomain(region)
	}
	p := "/" + c.cfg.Bucket + "/"
	if c.amazon && !c.cfg.PathStyle && virtualHostable(c.cfg.Bucket) {
		host, p = c.cfg.Bucket+"."+host, "/"
	}
	if key != "" {
		p += c.cfg.Prefix + key
	}
	u := &url.URL{Scheme: c.scheme, Host: host, Path: p, RawPath: uriEscape(p, true)}
	if len(q) > 0 {
		u.RawQuery = canonicalQuery(q)
	}
	return u
}

// virtualHostable reports whether a bucket's name can lead its host name
// under TLS: a DNS label of lower-case letters, digits and hyphens (a dot
// would not match the certificate's wildcard).
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// bucketRegion returns the bucket's region: the Config's, or the one the
// server names for it, asked once (GetBucketLocation). A server that will
// not say is taken to be in us-east-1, as S3-compatible servers are by
// default. Its error is an [Error] of op on key, the request the region
// was asked for.
func (c *Client) bucketRegion(ctx context.Context, op, key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.region != "" {
		return c.region, nil
	}
	var region string
	status, answer, err := c.once(ctx, "us-east-1", request{method: http.MethodGet, query: url.Values{"location": {""}}}, func(resp *http.Response) error {
		var loc struct {
			Region string `xml:",chardata"`
		}
		if err := xml.NewDecoder(resp.Body).Decode(&loc); err != nil {
			return fmt.Errorf("the bucket's location: %w", err)
		}
		region = cmp.Or(strings.TrimSpace(loc.Region), resp.Header.Get("X-Amz-Bucket-Region"))
		return nil
	})
	switch {
	case err == nil:
	case status == 0, answer.Code == "NoSuchBucket":
		return "", c.fail(op, key, status, answer, err)
	default:
		region = answer.Region // when the answer names it
	}
	if region == "EU" {
		region = "eu-west-1" // the name of old
	}
	c.region = cmp.Or(region, "us-east-1")
	return c.region, nil
}

// ErrNotFound is the cause of an [Error] for an object or a bucket that
// is not there.
var ErrNotFound = errors.New("not found")

// Error is a request that failed: what it was, on which object, and what
// the server answered (its status, code and message), or why no answer
// came.
type Error struct {
	Op      string // "list", "put", "get", "delete"
	URL     string // s3://bucket/prefix/key; the prefix's for a listing
	Status  int    // the HTTP status, 0 when no answer came
	Code    string // the S3 error code: AccessDenied, NoSuchBucket, InvalidAccessKeyId…
	Message string
	Err     error // the client's error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		var ue *url.Error
		if errors.As(e.Err, &ue) {
			// Not Go's "Get \"http://…?list-type=2…\"": the endpoint,
			// then why.
			u, _ := url.Parse(ue.URL)
			if u != nil {
				return fmt.Sprintf("%s %s: no answer from %s://%s: %v", e.Op, e.URL, u.Scheme, u.Host, ue.Err)
			}
			return fmt.Sprintf("%s %s: %v", e.Op, e.URL, ue.Err)
		}
		return fmt.Sprintf("%s %s: %v", e.Op, e.URL, e.Err)
	}
	s := fmt.Sprintf("%s %s: the server answered %d %s", e.Op, e.URL, e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		s += ", " + e.Code
	}
	if e.Message != "" {
		s += ": " + strings.TrimSuffix(e.Message, ".")
	}
	return s
}

func (e *Error) Unwrap() error {
	if e.Code == "NoSuchKey" || e.Code == "NoSuchBucket" || e.Status == http.StatusNotFound {
		return errors.Join(ErrNotFound, e.Err)
	}
	return e.Err
}

// fail makes an [Error] of op on key, with the server's answer when one
// came.
func (c *Client) fail(op, key string, status int, answer *errorAnswer, err error) error {
	e := &Error{Op: op, URL: c.URL(key), Status: status, Err: err}
	if answer != nil {
		e.Code, e.Message = answer.Code, answer.Message
	}
	return e
}
