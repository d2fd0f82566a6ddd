package s3

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AWS Signature Version 4, as S3 takes it: in the Authorization header
// of a request, or in the query of a presigned URL. See
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html.

const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	sigTimeFormat   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	// emptySHA256 is the hex SHA-256 of no bytes: the payload hash of a
	// request without a body.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// sign adds to r the headers of a request signed with c for region at
// now: X-Amz-Date, X-Amz-Content-Sha256 (payload, the body's hex SHA-256
// or unsignedPayload), X-Amz-Security-Token when c has a session token,
// and Authorization. It signs the host and every header r has by then
// but those of unsignedHeaders.
func sign(r *http.Request, c creds, region, payload string, now time.Time) {
	now = now.UTC()
	r.Header.Set("X-Amz-Date", now.Format(sigTimeFormat))
	r.Header.Set("X-Amz-Content-Sha256", payload)
	if c.token != "" {
		r.Header.Set("X-Amz-Security-Token", c.token)
	}
	headers := map[string]string{"host": r.URL.Host}
	for name, values := range r.Header {
		lower := strings.ToLower(name)
		if !unsignedHeaders[lower] {
			headers[lower] = strings.Join(values, ",")
		}
	}
	names := slices.Sorted(maps.Keys(headers))
	var canon strings.Builder
	for _, name := range names {
		canon.WriteString(name)
		canon.WriteByte(':')
		canon.WriteString(headerValue(headers[name]))
		canon.WriteByte('\n')
	}
	signed := strings.Join(names, ";")
	scope := credentialScope(now, region)
	request := strings.Join([]string{r.Method, r.URL.EscapedPath(), canonicalQuery(r.URL.Query()), canon.String(), signed, payload}, "\n")
	sig := signature(c.secret, now, region, stringToSign(now, scope, request))
	r.Header.Set("Authorization", sigAlgorithm+" Credential="+c.id+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

// unsignedHeaders are the headers sign leaves out of the signature: a
// proxy or Go's transport may add or change them on the way.
var unsignedHeaders = map[string]bool{"accept-encoding": true, "authorization": true, "content-length": true,
	"expect": true, "user-agent": true, "x-amzn-trace-id": true}

// presign returns u, a GET of an object, with the query that lets anyone
// holding it GET the object until expires has passed since now.
func presign(u *url.URL, c creds, region string, expires time.Duration, now time.Time) *url.URL {
	now = now.UTC()
	scope := credentialScope(now, region)
	q := u.Query()
	q.Set("X-Amz-Algorithm", sigAlgorithm)
	q.Set("X-Amz-Credential", c.id+"/"+scope)
	q.Set("X-Amz-Date", now.Format(sigTimeFormat))
	q.Set("X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10))
	q.Set("X-Amz-SignedHeaders", "host")
	if c.token != "" {
		q.Set("X-Amz-Security-Token", c.token)
	}
	request := strings.Join([]string{http.MethodGet, u.EscapedPath(), canonicalQuery(q), "host:" + u.Host + "\n", "host", unsignedPayload}, "\n")
	q.Set("X-Amz-Signature", signature(c.secret, now, region, stringToSign(now, scope, request)))
	out := *u
	out.RawQuery = canonicalQuery(q)
	return &out
}

func credentialScope(now time.Time, region string) string {
	return now.Format("20060102") + "/" + region + "/s3/aws4_request"
}

func stringToSign(now time.Time, scope, request string) string {
	sum := sha256.Sum256([]byte(request))
	return sigAlgorithm + "\n" + now.Format(sigTimeFormat) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// signature is the hex HMAC of toSign with the key derived from secret
// for the day, the region and the service.
func signature(secret string, now time.Time, region, toSign string) string {
	key := hmacSHA256([]byte("AWS4"+secret), now.Format("20060102"))
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, "s3")
	key = hmacSHA256(key, "aws4_request")
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// headerValue trims a header's value and folds its runs of spaces to
// one, as the canonical request has it.
func headerValue(v string) string {
	return strings.Join(strings.Fields(v), " ")
}

// canonicalQuery encodes q sorted by name, then value, each escaped as
// uriEscape does.
func canonicalQuery(q url.Values) string {
	type pair struct{ k, v string }
	var pairs []pair
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, pair{uriEscape(k, false), uriEscape(v, false)})
		}
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// uriEscape percent-encodes every byte of s but the unreserved ones
// (A-Z a-z 0-9 - . _ ~), and the slash too unless path is false: the
// encoding SigV4 signs, which is also how a key goes into a URL's path.
func uriEscape(s string, path bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || path && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
