package bundler

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/stapler-build/stapler/bundler/internal/tomlpos"
)

// PublishConfig is the [publish] table of assets.toml: where stapler
// publish sends the output, and how to reach it. It holds no credential:
// those come from the environment, the shared AWS files or an instance
// role (see the publish package), and a key that looks like one is an
// error ([CodeCredentialsInConfig]).
type PublishConfig struct {
	// Bucket is the bucket and the prefix the output goes under,
	// "s3://static/site/"; "" when the table names none (the command's
	// argument must then).
	Bucket string
	// Endpoint is the S3 API's URL, "https://…" or "http://…"; "" for
	// AWS's own.
	Endpoint string
	// Region is the bucket's region; "" to ask the server.
	Region string
	// PathStyle addresses the bucket in the URL's path
	// (endpoint/bucket/key) rather than its host name (bucket.endpoint/key).
	// False leaves the choice to the client: the host name on AWS, the path
	// elsewhere.
	PathStyle bool
	// Concurrency is how many uploads run at once; 0 means the default.
	Concurrency int
	// Pos is where the table is, for messages about it; Pos.Line is 0
	// when there is no table.
	Pos Position
}

// Publish returns the config's [publish] table; its zero value when the
// config has none.
func (p *Project) Publish() PublishConfig {
	if p.cfg.Publish == nil {
		return PublishConfig{}
	}
	return *p.cfg.Publish
}

// ConfigProblems returns the problems found while loading the project
// (the config's keys and values, its roots), which Check and Build report
// with the rest: a command that reads only the config, such as stapler
// publish, reports these.
func (p *Project) ConfigProblems() ErrorList {
	return append(ErrorList(nil), p.problems...)
}

// publish decodes the [publish] table. A key that looks like a credential
// is an error of its own, never a value: a secret in assets.toml ends up
// in the repository.
func (d decoder) publish(k *tomlpos.Key) *PublishConfig {
	t := d.tableValue(k)
	if t == nil {
		return nil
	}
	pc := &PublishConfig{Pos: d.at(k.Pos)}
	rest := &tomlpos.Table{}
	for _, key := range t.Keys {
		if looksLikeCredential(key.Name) {
			d.diags.errorf(d.at(key.Pos), CodeCredentialsInConfig, nil,
				"publish: %q looks like a credential: stapler reads credentials from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), the shared AWS files (~/.aws/credentials, AWS_PROFILE) or an instance role, never from assets.toml", key.Name)
			continue
		}
		rest.Keys = append(rest.Keys, key)
	}
	d.table(rest, "publish", map[string]func(*tomlpos.Key){
		"bucket": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if !ok {
				return
			}
			if _, _, err := ParseBucketURL(v.S); err != nil {
				d.diags.errorf(v.Pos, CodeBadValue, err, "bucket: %v", err)
				return
			}
			pc.Bucket = v.S
		},
		"endpoint": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if !ok {
				return
			}
			if u, err := url.Parse(v.S); err == nil && u.User != nil {
				d.diags.errorf(v.Pos, CodeCredentialsInConfig, nil, "publish: endpoint %q holds credentials: stapler reads them from the environment, the shared AWS files or an instance role, never from assets.toml", u.Redacted())
				return
			}
			if err := CheckEndpoint(v.S); err != nil {
				d.diags.errorf(v.Pos, CodeBadValue, err, "endpoint: %v", err)
				return
			}
			pc.Endpoint = v.S
		},
		"region":     func(k *tomlpos.Key) { v, _ := d.str(k); pc.Region = v.S },
		"path_style": func(k *tomlpos.Key) { pc.PathStyle, _ = d.boolean(k) },
		"concurrency": func(k *tomlpos.Key) {
			if k.Val.Kind != tomlpos.KindInteger {
				d.wrongType(k, "an integer")
				return
			}
			n, err := strconv.Atoi(k.Val.Str)
			if err != nil || n < 1 || n > 256 {
				d.diags.errorf(d.at(k.Val.Pos), CodeBadValue, nil, "concurrency must be from 1 to 256, not %s", k.Val.Str)
				return
			}
			pc.Concurrency = n
		},
	})
	return pc
}

// looksLikeCredential reports whether a key of [publish] names a secret
// or a key pair's half: access_key, secret_access_key, session_token,
// password…
func looksLikeCredential(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "password", "passwd", "token", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	for _, w := range []string{"access_key", "accesskey", "access_key_id", "key_id", "api_key"} {
		if strings.HasSuffix(n, w) {
			return true
		}
	}
	return n == "key"
}

// ParseBucketURL splits a bucket URL, "s3://" and a bucket name, then an
// optional prefix ending in a slash ("s3://static/",
// "s3://static/site/"), into the bucket's name and the prefix, or says
// why it is not one. It is the rule for [publish] bucket and the
// command's arguments alike.
func ParseBucketURL(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3:// URL, e.g. \"s3://static/site/\"", s)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	switch {
	case bucket == "":
		return "", "", fmt.Errorf("%q names no bucket", s)
	case !validBucket(bucket):
		return "", "", fmt.Errorf("%q: %q is not a bucket name (3 to 63 lowercase letters, digits, '.' and '-')", s, bucket)
	case prefix != "" && !strings.HasSuffix(prefix, "/"):
		return "", "", fmt.Errorf("%q: the prefix %q must end with a slash", s, prefix)
	case strings.Contains(prefix, "//") || strings.HasPrefix(prefix, "/"):
		return "", "", fmt.Errorf("%q: the prefix has an empty element", s)
	}
	for _, el := range strings.Split(strings.TrimSuffix(prefix, "/"), "/") {
		if el == "." || el == ".." {
			return "", "", fmt.Errorf("%q: the prefix has a %q element", s, el)
		}
	}
	return bucket, prefix, nil
}

// validBucket reports whether s has the form of an S3 bucket name.
func validBucket(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i, c := range []byte(s) {
		ok := 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || (c == '.' || c == '-') && i > 0 && i < len(s)-1
		if !ok {
			return false
		}
	}
	return true
}

// CheckEndpoint reports why s is not an endpoint URL: "http://" or
// "https://" and a host, and no path, query or credentials.
func CheckEndpoint(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL", s)
	case u.Host == "":
		return fmt.Errorf("%q names no host", s)
	case u.User != nil:
		return fmt.Errorf("%q holds credentials: stapler reads them from the environment, never from a URL", u.Redacted())
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q: an endpoint is a scheme and a host, with no path", s)
	}
	return nil
}
