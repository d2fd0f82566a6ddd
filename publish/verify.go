package publish

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// Verify checks the bucket's prefix as stapler verify checks an output
// directory ([bundler.Verify]): its manifests parse and agree, every
// object they name is there with its recorded size, integrity and name
// hash (each is downloaded and hashed), each plain copy holds its hashed
// file's bytes; and, when p is not nil, that the published manifest is
// the one a build of p's sources makes. Problems come back as a
// [bundler.ErrorList] positioned at the objects' URLs; a failure to reach
// the bucket is another error.
func Verify(ctx context.Context, t Target, p *bundler.Project) (*bundler.Result, error) {
	c, objects, err := t.connect(ctx)
	if err != nil {
		return nil, err
	}
	fsys := &bucketFS{ctx: ctx, c: c, objects: map[string]s3.Object{}}
	for _, o := range objects {
		fsys.objects[o.Key] = o
	}
	return bundler.VerifyFS(ctx, fsys, c.URL(""), p)
}

// bucketFS shows a bucket's prefix as a read-only file system: the
// listing gives each object's size, and a file's bytes are downloaded
// when read.
type bucketFS struct {
	ctx     context.Context
	c       *s3.Client
	objects map[string]s3.Object
}

func (b *bucketFS) lookup(op, name string) (s3.Object, error) {
	if !fs.ValidPath(name) {
		return s3.Object{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	o, ok := b.objects[name]
	if !ok {
		return s3.Object{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return o, nil
}

func (b *bucketFS) Stat(name string) (fs.FileInfo, error) {
	o, err := b.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return objectInfo(o), nil
}

func (b *bucketFS) ReadFile(name string) ([]byte, error) {
	if _, err := b.lookup("read", name); err != nil {
		return nil, err
	}
	data, err := b.c.Get(b.ctx, name)
	if errors.Is(err, s3.ErrNotFound) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return data, err
}

func (b *bucketFS) Open(name string) (fs.File, error) {
	o, err := b.lookup("open", name)
	if err != nil {
		return nil, err
	}
	return &bucketFile{fs: b, o: o}, nil
}

// bucketFile is an object opened: downloaded on its first read.
type bucketFile struct {
	fs *bucketFS
	o  s3.Object
	r  io.Reader
}

func (f *bucketFile) Stat() (fs.FileInfo, error) { return objectInfo(f.o), nil }
func (f *bucketFile) Close() error               { return nil }
func (f *bucketFile) Read(p []byte) (int, error) {
	if f.r == nil {
		data, err := f.fs.ReadFile(f.o.Key)
		if err != nil {
			return 0, err
		}
		f.r = bytes.NewReader(data)
	}
	return f.r.Read(p)
}

// info is an object as an fs.FileInfo.
type info struct{ o s3.Object }

func objectInfo(o s3.Object) info { return info{o} }

func (i info) Name() string       { return path.Base(i.o.Key) }
func (i info) Size() int64        { return i.o.Size }
func (i info) Mode() fs.FileMode  { return 0o444 }
func (i info) ModTime() time.Time { return i.o.LastModified }
func (i info) IsDir() bool        { return strings.HasSuffix(i.o.Key, "/") }
func (i info) Sys() any           { return nil }
