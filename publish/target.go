package publish

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// Target says which bucket and prefix to publish to, and how to reach
// them. It holds no credential: see the package documentation.
type Target struct {
	// URL is the bucket and the prefix, "s3://static/site/" or
	// "s3://static/".
	URL string
	// Endpoint is the S3 API's URL, "https://…" or "http://…"; "" for
	// AWS.
	Endpoint string
	// Region is the bucket's region; "" asks the server, with one request
	// more.
	Region string
	// PathStyle addresses the bucket in the URL's path, as MinIO,
	// SeaweedFS and most servers but AWS want; false lets the client
	// choose: the host name on AWS, the path elsewhere.
	PathStyle bool
	// Concurrency is how many uploads (or downloads, for Verify) run at
	// once; 0 means 16.
	Concurrency int
	// Transport, when set, carries the requests: a proxy's, or a test's
	// that counts them.
	Transport http.RoundTripper
}

// Environment variables that override the config's endpoint, as they do
// for the AWS SDKs and CLI: the S3 one first.
const (
	EnvEndpointS3 = "AWS_ENDPOINT_URL_S3"
	EnvEndpoint   = "AWS_ENDPOINT_URL"
)

// TargetOf returns the target that the publish table of the project's config names:
// its bucket (or url, when url is not ""), endpoint, region, path_style
// and concurrency. AWS_ENDPOINT_URL_S3, or else AWS_ENDPOINT_URL, when
// set, overrides the endpoint, and AWS_REGION, or else
// AWS_DEFAULT_REGION, gives the region when the table has none.
//
// A nil p has no such table: the target is url and the environment.
func TargetOf(p *bundler.Project, url string) (Target, error) {
	var pc bundler.PublishConfig
	if p != nil {
		pc = p.Publish()
	}
	t := Target{URL: pc.Bucket, Endpoint: pc.Endpoint, Region: pc.Region, PathStyle: pc.PathStyle, Concurrency: pc.Concurrency}
	if url != "" {
		t.URL = url
	}
	for _, env := range []string{EnvEndpointS3, EnvEndpoint} {
		if v := os.Getenv(env); v != "" {
			if err := bundler.CheckEndpoint(v); err != nil {
				return Target{}, fmt.Errorf("%s: %v", env, err)
			}
			t.Endpoint = v
			break
		}
	}
	for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if v := os.Getenv(env); v != "" && t.Region == "" {
			t.Region = v
		}
	}
	if t.URL == "" {
		return Target{}, fmt.Errorf(`no bucket: the config's [publish] names none (bucket = "s3://static/site/"), and none was given`)
	}
	return t, nil
}

func (t Target) concurrency() int {
	if t.Concurrency <= 0 {
		return 16
	}
	return t.Concurrency
}

// connect makes the client of t and makes its first request, the listing
// of the prefix, so that a wrong endpoint, bucket or credential is found
// before anything is sent.
func (t Target) connect(ctx context.Context) (*s3.Client, []s3.Object, error) {
	bucket, prefix, err := bundler.ParseBucketURL(t.URL)
	if err != nil {
		return nil, nil, err
	}
	if t.Endpoint != "" {
		if err := bundler.CheckEndpoint(t.Endpoint); err != nil {
			return nil, nil, fmt.Errorf("endpoint: %v", err)
		}
	}
	c, err := s3.New(ctx, s3.Config{Bucket: bucket, Prefix: prefix, Endpoint: t.Endpoint, Region: t.Region, PathStyle: t.PathStyle, Transport: t.Transport})
	if err != nil {
		return nil, nil, err
	}
	objects, err := c.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	return c, objects, nil
}
