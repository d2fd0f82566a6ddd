// Package s3 is stapler publish's S3 client: the few calls a publish, a
// verify and a prune of a bucket make (list a prefix, put, get, delete),
// over minio-go, with each failure turned into an [Error] that names the
// object and gives the server's answer. It imports nothing of stapler's.
//
// Credentials come from the standard places only, in the AWS SDKs'
// order: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), the shared files (~/.aws/credentials and
// ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE,
// with AWS_PROFILE), then the instance's role (web identity, ECS and
// EC2 metadata; AWS_EC2_METADATA_DISABLED=true leaves EC2's out).
package s3

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
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
	core    minio.Core
	cfg     Config
	display string // "s3://bucket/prefix/"
}

// New makes a client, with the credentials of the standard places; an
// error if there are none at all.
func New(ctx context.Context, cfg Config) (*Client, error) {
	host, secure := "s3.amazonaws.com", true
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("endpoint %q is not a URL", cfg.Endpoint)
		}
		host, secure = u.Host, u.Scheme == "https"
	}
	providers := []credentials.Provider{&credentials.EnvAWS{}, &credentials.FileAWSCredentials{}}
	if !metadataDisabled() {
		providers = append(providers, &credentials.IAM{Client: &http.Client{Timeout: 5 * time.Second}})
	}
	creds := credentials.NewChainCredentials(providers)
	v, err := creds.GetWithContext(&credentials.CredContext{Client: http.DefaultClient})
	if err == nil && v.SignerType.IsAnonymous() {
		err = errors.New("none found")
	}
	if err != nil {
		return nil, fmt.Errorf("no credentials for %s (%v): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials (AWS_PROFILE), or run with an instance role", host, err)
	}
	transport := cfg.Transport
	if transport == nil {
		if transport, err = minio.DefaultTransport(secure); err != nil {
			return nil, err
		}
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	attempts := cfg.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	mc, err := minio.New(host, &minio.Options{
		Creds:        creds,
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    transport,
		MaxRetries:   attempts,
	})
	if err != nil {
		return nil, fmt.Errorf("endpoint %s: %w", host, err)
	}
	return &Client{core: minio.Core{Client: mc}, cfg: cfg, display: "s3://" + cfg.Bucket + "/" + cfg.Prefix}, nil
}

// metadataDisabled reports whether AWS_EC2_METADATA_DISABLED=true rules
// out the instance's role, as it does for the AWS SDKs, and no web
// identity or container credentials are named: then the IAM provider,
// which would ask the EC2 metadata service, is left out of the chain.
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
	for o := range c.core.Client.ListObjects(ctx, c.cfg.Bucket, minio.ListObjectsOptions{Prefix: c.cfg.Prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, c.fail("list", "", o.Err)
		}
		out = append(out, Object{
			Key:          strings.TrimPrefix(o.Key, c.cfg.Prefix),
			Size:         o.Size,
			ETag:         strings.Trim(o.ETag, `"`),
			LastModified: o.LastModified,
		})
	}
	return out, nil
}

// Put stores size bytes from r under key, in one request, and returns
// the object's ETag, unquoted.
func (c *Client) Put(ctx context.Context, key string, r io.Reader, size int64, o PutOptions) (string, error) {
	md5b64, sha256hex := "", ""
	if o.MD5 != nil {
		md5b64 = base64Std(o.MD5)
	}
	if o.SHA256 != nil {
		sha256hex = fmt.Sprintf("%x", o.SHA256)
	}
	info, err := c.core.PutObject(ctx, c.cfg.Bucket, c.cfg.Prefix+key, r, size, md5b64, sha256hex, minio.PutObjectOptions{
		ContentType:     o.ContentType,
		ContentEncoding: o.ContentEncoding,
		CacheControl:    o.CacheControl,
		// Sign the payload's SHA-256 given, rather than minio-go's
		// aws-chunked streaming over plain HTTP, which some servers store
		// as the object's Content-Encoding.
		DisableContentSha256: true,
	})
	if err != nil {
		return "", c.fail("put", key, err)
	}
	return strings.Trim(info.ETag, `"`), nil
}

// Get returns the bytes of key; an error that wraps [ErrNotFound] when
// there is no such object.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := c.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, c.fail("get", key, err)
	}
	return data, nil
}

// Open returns a reader of key's bytes and its headers.
func (c *Client) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	var opts minio.GetObjectOptions
	// The stored bytes: a precompressed sibling stored with its
	// Content-Encoding must not be decoded on the way, as Go's transport
	// does when it asked for gzip itself.
	opts.Set("Accept-Encoding", "identity")
	rc, _, _, err := c.core.GetObject(ctx, c.cfg.Bucket, c.cfg.Prefix+key, opts)
	if err != nil {
		return nil, c.fail("get", key, err)
	}
	return rc, nil
}

// Delete removes keys, in batches of a thousand; its error lists each
// key the server did not remove, with its answer.
func (c *Client) Delete(ctx context.Context, keys []string) error {
	ch := make(chan minio.ObjectInfo)
	go func() {
		defer close(ch)
		for _, k := range keys {
			select {
			case ch <- minio.ObjectInfo{Key: c.cfg.Prefix + k}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var errs []error
	for e := range c.core.RemoveObjects(ctx, c.cfg.Bucket, ch, minio.RemoveObjectsOptions{}) {
		mu.Lock()
		errs = append(errs, c.fail("delete", strings.TrimPrefix(e.ObjectName, c.cfg.Prefix), e.Err))
		mu.Unlock()
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// PresignGet returns a URL that GETs key without credentials until it
// expires: what a CDN's fetch of the object sees, headers included.
func (c *Client) PresignGet(ctx context.Context, key string, expires time.Duration) (*url.URL, error) {
	u, err := c.core.Client.PresignedGetObject(ctx, c.cfg.Bucket, c.cfg.Prefix+key, expires, nil)
	if err != nil {
		return nil, c.fail("presign", key, err)
	}
	return u, nil
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

// fail makes an [Error] of a request's error.
func (c *Client) fail(op, key string, err error) error {
	e := &Error{Op: op, URL: c.URL(key), Err: err}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.StatusCode != 0 {
		e.Status, e.Code, e.Message = resp.StatusCode, resp.Code, resp.Message
	}
	return e
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
