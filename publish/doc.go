// Package publish sends a built output directory to an S3-compatible
// bucket (AWS S3, Cloudflare R2, Google Cloud Storage's XML API, MinIO,
// SeaweedFS, Backblaze B2…) for a CDN to serve, and checks and prunes
// what is there: stapler publish, and stapler verify and prune given an
// s3:// URL.
//
// # What a publish does
//
// [Publish] lists the bucket's prefix once; that first request is where a
// wrong endpoint, bucket or credential fails, before anything is sent.
// From the listing and the output's manifest alone it decides what to
// send, in four stages, each starting when the one before has ended:
//
//  1. The hashed files the bucket lacks (a key with the file's size is
//     the file: its name is its content's hash), each with its
//     Content-Type, Cache-Control: public, max-age=31536000, immutable,
//     and its precompressed siblings (.br, .gz, .zst) as objects of
//     their own with their Content-Encoding, for CDNs that pick them.
//  2. The plain copies (and their siblings) whose bytes the bucket does
//     not hold, with the short Cache-Control that manifest.Handler sends
//     for plain names ([manifest.PlainCacheControl]).
//  3. The history: the bucket's manifest that this publish replaces,
//     under .stapler/history/, and the index .stapler/history.json,
//     as a build keeps them in a directory, for [Prune].
//  4. The manifests, staticfiles.json then stapler-manifest.json, when
//     their bytes differ from the bucket's.
//
// A plain copy's bytes are compared by ETag, the MD5 on most buckets. On
// one whose ETags are opaque (SSE-KMS, SSE-C), a publish also stores,
// last, the record of published objects (.stapler/published.json: see
// publishedKey), by which the next one knows what each holds.
//
// So a reader of the bucket's manifest never meets a name whose object is
// not there yet, and an interrupted publish leaves the previous manifest
// in place, naming objects that are all there. Run again, it sends only
// what the first did not; with nothing new it makes the listing and
// nothing else. Uploads run Target.Concurrency at a time, each in one
// request that carries the MD5 (Content-MD5) and SHA-256 (the signed
// payload hash) of its bytes, which the server checks before it stores
// the object.
//
// # Credentials
//
// Only from the standard places, as the AWS SDKs find them: the
// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), the shared files (~/.aws/credentials and
// ~/.aws/config, or AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, with
// AWS_PROFILE: a profile's keys, credential_process or SSO token), then
// the instance's role (web identity, ECS and EKS, EC2). Never
// from assets.toml: a key of the publish table that looks like one is an error,
// credentials-in-config.
//
// # The endpoint
//
// [TargetOf] takes the bucket, endpoint, region, path_style and
// concurrency from the config's publish table; AWS_ENDPOINT_URL_S3, or else
// AWS_ENDPOINT_URL, overrides the endpoint, as for the AWS CLI, so that a
// script can point one config at another server.
package publish
