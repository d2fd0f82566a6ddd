package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/stapler-build/stapler/manifest"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// A plain copy's name says nothing of its bytes, so a publish compares
// the bucket's object with what it would upload by ETag: on most buckets
// the MD5 of the bytes, the same for a plain copy as for its hashed file.
// A bucket that encrypts with KMS or a customer's key (SSE-KMS, SSE-C)
// gives every object an opaque ETag instead, and that comparison fails for
// every plain copy on every publish. So when a publish stores an object
// whose ETag is not its MD5, it also stores, under publishedKey, the
// record of published objects: for each plain copy, sibling and manifest,
// what it holds (its hashed file's key, or the SHA-256 of a manifest) and
// the ETag it had then. The next publish takes an object whose ETag is
// still that one as holding those bytes. Any other change to the object
// changes its ETag, so a record that is stale, or of another tool's
// doing, only sends objects up again.
const (
	publishedKey    = ".stapler/published.json"
	publishedFormat = "stapler published objects 1"
)

// published is the record of published objects.
type published struct {
	Format  string                     `json:"format"`
	Objects map[string]publishedObject `json:"objects"`
}

type publishedObject struct {
	From string `json:"from"` // a hashed file's key, or "sha256:" and a manifest's sum in hex
	ETag string `json:"etag"` // the object's, when stored
}

// holds reports whether the listed object o still holds what the record
// says a publish stored there, and that is from.
func (p publishedObject) holds(from string, o s3.Object) bool {
	return p.ETag != "" && p.From == from && p.ETag == o.ETag
}

// readPublished returns the bucket's record of published objects and its
// bytes, as listed: an empty one when there is none, or when it is not a
// record of this format (it is replaced when the publish writes one).
func readPublished(ctx context.Context, c *s3.Client, listing map[string]s3.Object) (*published, []byte, error) {
	if _, ok := listing[publishedKey]; !ok {
		return &published{}, nil, nil
	}
	data, err := c.Get(ctx, publishedKey)
	if errors.Is(err, s3.ErrNotFound) {
		return &published{}, nil, nil // gone since the listing
	}
	if err != nil {
		return nil, nil, err
	}
	var p published
	if err := json.Unmarshal(data, &p); err != nil || p.Format != publishedFormat {
		return &published{}, data, nil
	}
	return &p, data, nil
}

// savePublished stores the record of what the plain copies and manifests
// hold now, after every other upload, when the bucket needs one: an
// object stored in this run, or one before it, had an ETag that is not
// its MD5. Nothing is stored when the record would not change.
func (r *run) savePublished(ctx context.Context, pl plan, listing map[string]s3.Object, prevData []byte) error {
	if !r.opaque && prevData == nil {
		return nil
	}
	next := published{Format: publishedFormat, Objects: map[string]publishedObject{}}
	for key, from := range pl.from {
		etag, ok := r.stored[key]
		if !ok {
			o, there := listing[key]
			if !there {
				continue
			}
			etag = o.ETag
		}
		next.Objects[key] = publishedObject{From: from, ETag: etag}
	}
	data, err := json.MarshalIndent(next, "", "\t") // map keys sorted: the same record, the same bytes
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if bytes.Equal(data, prevData) {
		return nil
	}
	u := upload{key: publishedKey, size: int64(len(data)), data: data, typeOf: publishedKey, cacheControl: manifest.PlainCacheControl}
	r.mu.Lock()
	r.progress.Total++
	r.progress.TotalBytes += u.size
	r.mu.Unlock()
	return r.stage(ctx, []upload{u})
}
