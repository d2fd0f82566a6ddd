package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stapler-build/stapler/manifest"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// TestPlan checks what makePlan decides to upload from a manifest, the
// output's plain files and a listing, without reading a file.
func TestPlan(t *testing.T) {
	m := &manifest.Manifest{Prefix: "/static/", Files: map[string]manifest.Entry{
		"css/site.css": {Path: "css/site.aaaaaaaaaaaa.css", Size: 10, Encodings: map[string]int64{"br": 4, "gzip": 5}},
		"img/a.png":    {Path: "img/a.bbbbbbbbbbbb.png", Size: 20},
		// Two names of one file: a reference cycle's.
		"x/a.css": {Path: "x/a.cccccccccccc.css", Size: 3},
		"x/b.css": {Path: "x/a.cccccccccccc.css", Size: 3},
	}}
	local := map[string]int64{"css/site.css": 10, "css/site.css.br": 4, "css/site.css.gz": 5, "img/a.png": 20}
	stat := func(name string) (int64, bool) { n, ok := local[name]; return n, ok }
	obj := func(key string, size int64, etag string) s3.Object {
		return s3.Object{Key: key, Size: size, ETag: etag, LastModified: time.Now()}
	}
	full := map[string]s3.Object{}
	for _, o := range []s3.Object{
		obj("css/site.aaaaaaaaaaaa.css", 10, "e1"), obj("css/site.aaaaaaaaaaaa.css.br", 4, "e2"), obj("css/site.aaaaaaaaaaaa.css.gz", 5, "e3"),
		obj("img/a.bbbbbbbbbbbb.png", 20, "e4"), obj("x/a.cccccccccccc.css", 3, "e5"),
		obj("css/site.css", 10, "e1"), obj("css/site.css.br", 4, "e2"), obj("css/site.css.gz", 5, "e3"), obj("img/a.png", 20, "e4"),
	} {
		full[o.Key] = o
	}
	with := func(change func(map[string]s3.Object)) map[string]s3.Object {
		l := map[string]s3.Object{}
		for k, v := range full {
			l[k] = v
		}
		change(l)
		return l
	}
	// A bucket whose ETags are opaque (SSE-KMS): no two objects share
	// one, and the record of published objects says what each holds.
	opaque := with(func(l map[string]s3.Object) {
		for k, o := range l {
			l[k] = obj(k, o.Size, "kms-"+k)
		}
	})
	record := map[string]publishedObject{}
	for _, k := range []string{"css/site.css", "css/site.css.br", "css/site.css.gz", "img/a.png"} {
		of := map[string]string{"css/site.css": "css/site.aaaaaaaaaaaa.css", "css/site.css.br": "css/site.aaaaaaaaaaaa.css.br",
			"css/site.css.gz": "css/site.aaaaaaaaaaaa.css.gz", "img/a.png": "img/a.bbbbbbbbbbbb.png"}[k]
		record[k] = publishedObject{From: of, ETag: "kms-" + k}
	}
	recordWith := func(key string, p publishedObject) map[string]publishedObject {
		r := maps.Clone(record)
		r[key] = p
		return r
	}
	tests := []struct {
		name          string
		listing       map[string]s3.Object
		published     map[string]publishedObject
		hashed, plain []string
	}{
		{"empty bucket", map[string]s3.Object{}, nil,
			[]string{"css/site.aaaaaaaaaaaa.css", "css/site.aaaaaaaaaaaa.css.br", "css/site.aaaaaaaaaaaa.css.gz", "img/a.bbbbbbbbbbbb.png", "x/a.cccccccccccc.css"},
			[]string{"css/site.css", "css/site.css.br", "css/site.css.gz", "img/a.png"}},
		{"all there", full, nil, nil, nil},
		{"a hashed file of another size: a broken object", with(func(l map[string]s3.Object) { l["img/a.bbbbbbbbbbbb.png"] = obj("img/a.bbbbbbbbbbbb.png", 7, "e9") }), nil,
			[]string{"img/a.bbbbbbbbbbbb.png"}, []string{"img/a.png"}},
		{"a sibling missing", with(func(l map[string]s3.Object) { delete(l, "css/site.aaaaaaaaaaaa.css.br") }), nil,
			[]string{"css/site.aaaaaaaaaaaa.css.br"}, []string{"css/site.css.br"}},
		{"a plain copy of other bytes", with(func(l map[string]s3.Object) { l["css/site.css"] = obj("css/site.css", 10, "old") }), nil,
			nil, []string{"css/site.css"}},
		{"a plain copy with no ETag", with(func(l map[string]s3.Object) {
			l["img/a.png"] = obj("img/a.png", 20, "")
			l["img/a.bbbbbbbbbbbb.png"] = obj("img/a.bbbbbbbbbbbb.png", 20, "")
		}), nil, nil, []string{"img/a.png"}},
		{"opaque ETags and no record", opaque, nil, nil, []string{"css/site.css", "css/site.css.br", "css/site.css.gz", "img/a.png"}},
		{"opaque ETags and the record", opaque, record, nil, nil},
		{"the record: a plain copy of another hashed file", opaque,
			recordWith("img/a.png", publishedObject{From: "img/a.dddddddddddd.png", ETag: "kms-img/a.png"}), nil, []string{"img/a.png"}},
		{"the record: a plain copy stored since, by another", opaque,
			recordWith("css/site.css.br", publishedObject{From: "css/site.aaaaaaaaaaaa.css.br", ETag: "kms-before"}), nil, []string{"css/site.css.br"}},
		{"the record: no ETag", opaque,
			recordWith("css/site.css", publishedObject{From: "css/site.aaaaaaaaaaaa.css"}), nil, []string{"css/site.css"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := makePlan(m, stat, tt.listing, tt.published)
			if got := keys(pl.hashed); !slices.Equal(got, tt.hashed) {
				t.Errorf("hashed %q, want %q", got, tt.hashed)
			}
			if got := keys(pl.plain); !slices.Equal(got, tt.plain) {
				t.Errorf("plain %q, want %q", got, tt.plain)
			}
			if want := 9 - len(tt.hashed) - len(tt.plain); pl.present != want {
				t.Errorf("present %d, want %d", pl.present, want)
			}
		})
	}
	pl := makePlan(m, stat, map[string]s3.Object{}, nil)
	for _, u := range pl.hashed {
		if u.cacheControl != manifest.HashedCacheControl {
			t.Errorf("%s: Cache-Control %q", u.key, u.cacheControl)
		}
	}
	for _, u := range pl.plain {
		if u.cacheControl != manifest.PlainCacheControl {
			t.Errorf("%s: Cache-Control %q", u.key, u.cacheControl)
		}
	}
	if u := pl.hashed[1]; u.encoding != "br" || u.typeOf != "css/site.aaaaaaaaaaaa.css" || u.size != 4 {
		t.Errorf("the brotli sibling: %+v", u)
	}
}

func keys(us []upload) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.key)
	}
	return out
}

func TestManifestUploads(t *testing.T) {
	data, django := []byte(`{"version": 1}`), []byte(`{"paths": {}}`)
	same := map[string]s3.Object{
		manifest.FileName:       {Size: int64(len(data)), ETag: md5Hex(data)},
		manifest.DjangoFileName: {Size: int64(len(django)), ETag: md5Hex(django)},
	}
	manifestUploads := func(listing map[string]s3.Object, published map[string]publishedObject, data, django []byte) []upload {
		pl := plan{from: map[string]string{}}
		pl.addManifests(listing, published, data, django)
		return pl.manifests
	}
	if us := manifestUploads(same, nil, data, django); len(us) != 0 {
		t.Errorf("the bucket's manifests are these: uploads %q", keys(us))
	}
	if got := keys(manifestUploads(nil, nil, data, django)); !slices.Equal(got, []string{manifest.DjangoFileName, manifest.FileName}) {
		t.Errorf("uploads %q: want Django's, then stapler's last", got)
	}
	if got := keys(manifestUploads(nil, nil, data, nil)); !slices.Equal(got, []string{manifest.FileName}) {
		t.Errorf("without staticfiles.json: uploads %q", got)
	}
	// Opaque ETags: the record says which bytes each holds.
	kms := map[string]s3.Object{
		manifest.FileName:       {Size: int64(len(data)), ETag: "kms-1"},
		manifest.DjangoFileName: {Size: int64(len(django)), ETag: "kms-2"},
	}
	sum := func(b []byte) string { s := sha256.Sum256(b); return "sha256:" + hex.EncodeToString(s[:]) }
	if got := keys(manifestUploads(kms, nil, data, django)); !slices.Equal(got, []string{manifest.DjangoFileName, manifest.FileName}) {
		t.Errorf("opaque ETags and no record: uploads %q, want both", got)
	}
	record := map[string]publishedObject{manifest.FileName: {From: sum(data), ETag: "kms-1"}, manifest.DjangoFileName: {From: sum([]byte("older")), ETag: "kms-2"}}
	if got := keys(manifestUploads(kms, record, data, django)); !slices.Equal(got, []string{manifest.DjangoFileName}) {
		t.Errorf("the record says stapler's manifest is there: uploads %q, want Django's alone", got)
	}
}

// TestVerdict checks what Prune makes of each kind of object.
func TestVerdict(t *testing.T) {
	keep := map[string]bool{"css/site.aaaaaaaaaaaa.css": true, "css/site.css": true}
	for key, want := range map[string]int{
		"css/site.aaaaaaaaaaaa.css":          keepIt,
		"css/site.aaaaaaaaaaaa.css.br":       keepIt,
		"css/site.bbbbbbbbbbbb.css":          byAge,
		"css/site.bbbbbbbbbbbb.css.gz":       byAge,
		"css/site.bbbbbbbbbbbb.css.zst":      byAge,
		"css/site.css":                       leave,
		"css/site.css.br":                    leave,
		"css/other.css":                      leave,
		manifest.FileName:                    leave,
		manifest.DjangoFileName:              leave,
		".stapler/history.json":              leave,
		".stapler/history/cccccccccccc.json": leave,    // listed
		".stapler/history/dddddddddddd.json": unlisted, // fell off the index
		".stapler/history/notes.txt":         leave,
		".stapler/published.json":            leave,
	} {
		if got := verdict(key, keep, []string{"cccccccccccc.json"}); got != want {
			t.Errorf("%s: %d, want %d", key, got, want)
		}
	}
}
