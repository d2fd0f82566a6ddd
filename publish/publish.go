package publish

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/manifest"
	"github.com/stapler-build/stapler/publish/internal/s3"
	"golang.org/x/sync/errgroup"
)

// Options says what [Publish] sends where.
type Options struct {
	// Dir is the output directory to publish, as a build left it
	// (bundler.Project.OutputDir). When it is a link to a generation, the
	// generation it leads to when Publish starts is the one published.
	Dir    string
	Target Target
	// DryRun lists what would be uploaded, in Result.Uploaded, and
	// uploads nothing. It still lists the bucket, and reads its manifest
	// and history to name the history's new entries.
	DryRun bool
	// Progress, when set, is called as each object is stored, one call
	// at a time.
	Progress func(Progress)
	// Uploaded, when set, is called after each object is stored, one
	// call at a time, with its key relative to the prefix, while the
	// other uploads go on. (The tests kill the server from it, and list
	// the bucket in it to check that its manifest never names a missing
	// object.)
	Uploaded func(key string)
}

// Progress is how far a [Publish] has got: objects stored of those to
// store, and their bytes.
type Progress struct {
	Done, Total int
	Bytes       int64 // of the objects stored
	TotalBytes  int64
}

// Result is what [Publish] did, or with DryRun would do.
type Result struct {
	// Uploaded are the keys stored, relative to the prefix, in the order
	// of the stages (hashed files and their siblings, plain copies and
	// theirs, the history, the manifests), sorted within each. When
	// Publish fails, those stored before it stopped.
	Uploaded []string
	Bytes    int64 // their size
	// Present counts the objects of the output that the bucket holds
	// already, up to date.
	Present int
	// Listed is how many objects the prefix held before.
	Listed int
}

// An upload is an object to store, from a file of the output.
type upload struct {
	key          string // relative to the prefix
	file         string // relative to the output directory; key when ""
	size         int64  // as the manifest says, or as found
	typeOf       string // the file whose name, and bytes if need be, give the Content-Type
	encoding     string // the Content-Encoding of a precompressed sibling
	cacheControl string
	data         []byte // the bytes, for an object not read from a file (the history)
}

// Publish sends the output directory to the target bucket's prefix, and
// switches the bucket's manifests to it last (see the package
// documentation for the order and what it guarantees). It first lists the
// prefix, once: a wrong endpoint, bucket or credential fails there, before
// anything is sent. It uploads only what the bucket lacks: hashed files
// and their siblings absent from it, plain copies and manifests whose
// bytes differ. Its error names the object and gives the server's answer.
func Publish(ctx context.Context, opts Options) (*Result, error) {
	dir, err := filepath.EvalSymlinks(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("publish: the output directory: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, manifest.FileName))
	if err != nil {
		return nil, fmt.Errorf("publish: %w (build the output first)", err)
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("publish: %s: %w", filepath.Join(opts.Dir, manifest.FileName), err)
	}
	django, err := os.ReadFile(filepath.Join(dir, manifest.DjangoFileName))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("publish: %w", err)
	}
	c, objects, err := opts.Target.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	listing := make(map[string]s3.Object, len(objects))
	for _, o := range objects {
		listing[o.Key] = o
	}
	prev, prevData, err := readPublished(ctx, c, listing)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	pl := makePlan(m, localFiles(dir), listing, prev.Objects)
	pl.addManifests(listing, prev.Objects, data, django)
	res := &Result{Present: pl.present, Listed: len(objects)}
	if len(pl.manifests) > 0 && slices.ContainsFunc(pl.manifests, func(u upload) bool { return u.key == manifest.FileName }) {
		if pl.history, err = historyUploads(ctx, c, listing, data); err != nil {
			return res, fmt.Errorf("publish: %w", err)
		}
	}
	// The manifests one at a time, stapler's last: the history follows it.
	stages := [][]upload{pl.hashed, pl.plain, pl.history}
	for _, u := range pl.manifests {
		stages = append(stages, []upload{u})
	}
	if opts.DryRun {
		for _, st := range stages {
			for _, u := range st {
				res.Uploaded = append(res.Uploaded, u.key)
				res.Bytes += u.size
			}
		}
		return res, nil
	}
	r := &run{c: c, dir: dir, opts: opts, res: res, stored: map[string]string{}}
	for _, st := range stages {
		r.progress.Total += len(st)
		for _, u := range st {
			r.progress.TotalBytes += u.size
		}
	}
	if opts.Progress != nil && r.progress.Total > 0 {
		opts.Progress(r.progress)
	}
	for _, st := range stages {
		// Each stage starts when the one before has ended: no manifest
		// names an object before the object is stored.
		if err := r.stage(ctx, st); err != nil {
			return res, fmt.Errorf("publish: %w", err)
		}
	}
	if err := r.savePublished(ctx, pl, listing, prevData); err != nil {
		return res, fmt.Errorf("publish: %w", err)
	}
	return res, nil
}

// plan is what a publish uploads, stage by stage.
type plan struct {
	hashed, plain, history, manifests []upload
	present                           int // objects up to date already
	// What each plain copy, sibling and manifest holds, uploaded or up to
	// date, as the record of published objects names it (see
	// publishedKey).
	from map[string]string
}

// localFiles returns a function reporting the size of a file of the
// output, and whether it is there: a plain copy, or its sibling, is
// uploaded only if the build wrote it.
func localFiles(dir string) func(name string) (int64, bool) {
	return func(name string) (int64, bool) {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || !st.Mode().IsRegular() {
			return 0, false
		}
		return st.Size(), true
	}
}

// makePlan decides, from the manifest, the output's plain files, the
// listing and the record of published objects alone, which hashed files
// and plain copies to upload; it reads no file. A hashed file (or
// sibling) is up to date when the bucket holds its key with its size: its
// name is its content's hash. A plain copy (or sibling) is up to date
// when the bucket holds it with its size and either the ETag of its
// hashed file's object there, the same bytes, which is what a build
// writes, or the ETag the record says it had when a publish stored the
// hashed file's bytes there (a bucket whose ETags are not MD5s);
// otherwise it goes up again.
func makePlan(m *manifest.Manifest, local func(string) (int64, bool), listing map[string]s3.Object, published map[string]publishedObject) plan {
	pl := plan{from: map[string]string{}}
	queued := map[string]bool{}
	hashed := func(key, typeOf, enc string, size int64) {
		if queued[key] {
			return // two names of one file (a reference cycle's)
		}
		queued[key] = true
		if o, ok := listing[key]; ok && o.Size == size {
			pl.present++
			return
		}
		pl.hashed = append(pl.hashed, upload{key: key, size: size, typeOf: typeOf, encoding: enc, cacheControl: manifest.HashedCacheControl})
	}
	plain := func(key, of, typeOf, enc string) {
		size, ok := local(key)
		if !ok || queued[key] {
			return
		}
		queued[key] = true
		pl.from[key] = of
		o, there := listing[key]
		h, hashedThere := listing[of]
		if there && hashedThere && !pendingKey(pl.hashed, of) && o.Size == size && o.ETag != "" && o.ETag == h.ETag {
			pl.present++
			return
		}
		if there && o.Size == size && published[key].holds(of, o) {
			pl.present++
			return
		}
		pl.plain = append(pl.plain, upload{key: key, size: size, typeOf: typeOf, encoding: enc, cacheControl: manifest.PlainCacheControl})
	}
	names := slices.Sorted(maps.Keys(m.Files))
	for _, name := range names {
		e := m.Files[name]
		hashed(e.Path, e.Path, "", e.Size)
		for _, enc := range slices.Sorted(maps.Keys(e.Encodings)) {
			hashed(e.Path+manifest.Suffix(enc), e.Path, enc, e.Encodings[enc])
		}
	}
	for _, name := range names {
		e := m.Files[name]
		if name == manifest.FileName || name == manifest.DjangoFileName {
			continue // a file of a root of that name would be replaced by the manifest
		}
		plain(name, e.Path, e.Path, "")
		for _, enc := range slices.Sorted(maps.Keys(e.Encodings)) {
			plain(name+manifest.Suffix(enc), e.Path+manifest.Suffix(enc), e.Path, enc)
		}
	}
	sortUploads(pl.hashed)
	sortUploads(pl.plain)
	return pl
}

// pendingKey reports whether key is among the uploads.
func pendingKey(us []upload, key string) bool {
	return slices.ContainsFunc(us, func(u upload) bool { return u.key == key })
}

func sortUploads(us []upload) {
	slices.SortFunc(us, func(a, b upload) int { return strings.Compare(a.key, b.key) })
}

// addManifests adds the manifests whose bytes the bucket does not hold:
// Django's first, stapler's last, for the history follows stapler's.
func (pl *plan) addManifests(listing map[string]s3.Object, published map[string]publishedObject, data, django []byte) {
	for _, f := range []struct {
		name string
		data []byte
	}{{manifest.DjangoFileName, django}, {manifest.FileName, data}} {
		if f.data == nil {
			continue
		}
		sum := sha256.Sum256(f.data)
		from := "sha256:" + hex.EncodeToString(sum[:])
		pl.from[f.name] = from
		o, ok := listing[f.name]
		if ok && o.Size == int64(len(f.data)) && (o.ETag == md5Hex(f.data) || published[f.name].holds(from, o)) {
			continue
		}
		pl.manifests = append(pl.manifests, upload{key: f.name, size: int64(len(f.data)), data: f.data, typeOf: f.name, cacheControl: manifest.PlainCacheControl})
	}
}

// historyUploads returns what keeps the bucket's manifest that the
// publish replaces, as a build keeps a directory's (see
// [bundler.PushHistory]): a copy under .stapler/history/ and the index,
// for [Prune] to keep the files of the last builds. A bucket without a
// stapler manifest, or with one that does not parse, has nothing to keep.
func historyUploads(ctx context.Context, c *s3.Client, listing map[string]s3.Object, next []byte) ([]upload, error) {
	if _, ok := listing[manifest.FileName]; !ok {
		return nil, nil
	}
	prev, err := c.Get(ctx, manifest.FileName)
	if errors.Is(err, s3.ErrNotFound) {
		return nil, nil // gone since the listing
	}
	if err != nil {
		return nil, err
	}
	if _, err := manifest.Parse(prev); err != nil || bytes.Equal(prev, next) {
		return nil, nil
	}
	var index []byte
	if _, ok := listing[bundler.HistoryIndex]; ok {
		if index, err = c.Get(ctx, bundler.HistoryIndex); err != nil && !errors.Is(err, s3.ErrNotFound) {
			return nil, err
		}
	}
	nextIndex, name, err := bundler.PushHistory(index, prev)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.URL(bundler.HistoryIndex), err)
	}
	var us []upload
	key := bundler.HistoryDir + "/" + name
	if o, ok := listing[key]; !ok || o.Size != int64(len(prev)) {
		us = append(us, upload{key: key, size: int64(len(prev)), data: prev, typeOf: key, cacheControl: manifest.PlainCacheControl})
	}
	if !bytes.Equal(nextIndex, index) {
		us = append(us, upload{key: bundler.HistoryIndex, size: int64(len(nextIndex)), data: nextIndex, typeOf: bundler.HistoryIndex, cacheControl: manifest.PlainCacheControl})
	}
	return us, nil
}

func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// run is a publish under way.
type run struct {
	c    *s3.Client
	dir  string
	opts Options

	mu       sync.Mutex // guards what follows, and serializes the callbacks
	res      *Result
	progress Progress
	stored   map[string]string // the ETag of each object stored
	opaque   bool              // an object stored whose ETag is not its MD5
}

// stage uploads us, Concurrency at a time, and returns when all are
// stored, or at the first failure, once the uploads under way have ended.
func (r *run) stage(ctx context.Context, us []upload) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(r.opts.Target.concurrency())
	done := make([]bool, len(us))
	for i, u := range us {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err // another upload failed: its error is the one returned
			}
			if err := r.put(ctx, u); err != nil {
				return err
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			done[i] = true
			r.progress.Done++
			r.progress.Bytes += u.size
			if r.opts.Uploaded != nil {
				r.opts.Uploaded(u.key)
			}
			if r.opts.Progress != nil {
				r.opts.Progress(r.progress)
			}
			return nil
		})
	}
	err := g.Wait()
	for i, u := range us {
		if done[i] {
			r.res.Uploaded = append(r.res.Uploaded, u.key)
			r.res.Bytes += u.size
		}
	}
	return err
}

// put stores one object: its bytes read once for their digests, which the
// request carries for the server to check, and once to send.
func (r *run) put(ctx context.Context, u upload) error {
	var body io.ReadSeeker
	if u.data != nil {
		body = bytes.NewReader(u.data)
	} else {
		name := u.file
		if name == "" {
			name = u.key
		}
		f, err := os.Open(filepath.Join(r.dir, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		defer f.Close()
		body = f
	}
	md, sh := md5.New(), sha256.New()
	n, err := io.Copy(io.MultiWriter(md, sh), body)
	if err != nil {
		return err
	}
	if n != u.size {
		return fmt.Errorf("%s: %d bytes, the manifest says %d: the output changed since it was built (stapler verify %s)", path.Join(r.opts.Dir, u.key), n, u.size, r.opts.Dir)
	}
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return err
	}
	ctype, err := r.contentType(u, body)
	if err != nil {
		return err
	}
	sum := md.Sum(nil)
	etag, err := r.c.Put(ctx, u.key, body, n, s3.PutOptions{
		ContentType:     ctype,
		ContentEncoding: u.encoding,
		CacheControl:    u.cacheControl,
		MD5:             sum,
		SHA256:          sh.Sum(nil),
	})
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stored[u.key] = etag
	if etag != hex.EncodeToString(sum) {
		r.opaque = true
	}
	return nil
}

// contentType returns an object's Content-Type, as manifest.Handler
// serves its file: by the name, or sniffed from the bytes of the identity
// file (a sibling's is its file's).
func (r *run) contentType(u upload, body io.ReadSeeker) (string, error) {
	if u.encoding == "" {
		return manifest.ContentType(u.typeOf, body)
	}
	f, err := os.Open(filepath.Join(r.dir, filepath.FromSlash(u.typeOf)))
	if err != nil {
		// Only a sniff needs the bytes; by name alone, or the generic type.
		return manifest.ContentType(u.typeOf, bytes.NewReader(nil))
	}
	defer f.Close()
	return manifest.ContentType(u.typeOf, f)
}
