package bundler

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/stapler-build/stapler/manifest"
)

// compress makes the precompressed siblings [compress] asks for: for each
// output of a compressible type and each encoding, name.<hash>.ext.br (.gz,
// .zst) and the same beside the plain copy, kept only when it saves at
// least 5% (whitenoise's rule). A hashed name whose sibling is already on
// disk is not compressed again: its name is its content's hash. It
// records each sibling's size in the manifest entry, and returns the
// files to write and the stale plain siblings to remove.
//
// trusted says that the output is as the last build's record has it
// (see write): an output whose entry is the one in place has the siblings
// that record's manifest lists, and no other.
func (p *Project) compress(ctx context.Context, res *Result, prev map[string]string, trusted bool) (files []outFile, remove []string, reused int, err error) {
	c := p.cfg.Compress
	if c == nil {
		return nil, nil, 0, nil
	}
	var encs []string
	for _, e := range []struct {
		name string
		on   bool
	}{{"br", c.Brotli}, {"gzip", c.Gzip}, {"zstd", c.Zstd}} {
		if e.on {
			encs = append(encs, e.name)
		}
	}
	type result struct {
		files  []outFile
		sizes  map[string]int64
		reused int  // siblings already in place
		kept   bool // all of them, as the last build left them
	}
	// A root may ship a file named like a sibling ("data.json.gz"): that
	// name is the file's, never a sibling's.
	taken := map[string]bool{}
	for _, o := range res.Outputs {
		taken[o.Name], taken[o.Path] = true, true
	}
	compressible := func(o Output) bool {
		if !slices.Contains(c.Types, path.Ext(o.Name)) {
			return false
		}
		for _, enc := range manifest.Encodings() {
			if suffix := manifest.Suffix(enc); taken[o.Name+suffix] || taken[o.Path+suffix] {
				return false
			}
		}
		return true
	}
	total := 0
	for _, o := range res.Outputs {
		if compressible(o) {
			total++
		}
	}
	progress := p.progress(StageCompress, total)
	results := make([]result, len(res.Outputs))
	err = inParallel(ctx, res.Outputs, func(i int, o Output) error {
		if !compressible(o) {
			return nil
		}
		defer progress(o.Size())
		r := &results[i]
		r.sizes = map[string]int64{}
		unchanged := prev[o.Name] == o.Path // the plain copy's siblings too
		if trusted && unchanged {
			for enc, size := range p.last.Manifest.Files[o.Name].Encodings {
				r.sizes[enc] = size
				r.reused++
				if p.cfg.KeepUnhashed {
					r.reused++
				}
			}
			r.kept = true
			return nil
		}
		for _, enc := range encs {
			suffix := manifest.Suffix(enc)
			var data []byte
			if st, err := os.Lstat(filepath.Join(p.outputDir, filepath.FromSlash(o.Path+suffix))); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
				r.sizes[enc] = st.Size()
				r.reused++
				if unchanged && p.cfg.KeepUnhashed {
					r.reused++ // and its plain copy's
				}
				if !p.cfg.KeepUnhashed || unchanged {
					continue
				}
				if data, err = os.ReadFile(filepath.Join(p.outputDir, filepath.FromSlash(o.Path+suffix))); err != nil {
					return err
				}
			} else {
				in, err := o.Bytes()
				if err != nil {
					return err
				}
				data, err = compressWith(enc, c, in)
				if err != nil {
					return err
				}
				if int64(len(data)) > o.Size()*95/100 {
					continue // not worth a request's negotiation
				}
				r.sizes[enc] = int64(len(data))
				r.files = append(r.files, outFile{name: o.Path + suffix, data: data, kind: hashedFile})
			}
			if p.cfg.KeepUnhashed {
				r.files = append(r.files, outFile{name: o.Name + suffix, data: data, kind: plainFile, built: unchanged, linkTo: o.Path + suffix})
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, 0, err
	}
	for i, o := range res.Outputs {
		r := results[i]
		files = append(files, r.files...)
		reused += r.reused
		if len(r.sizes) > 0 {
			e := res.Manifest.Files[o.Name]
			e.Encodings = r.sizes
			res.Manifest.Files[o.Name] = e
		}
		if r.kept {
			continue
		}
		// A plain copy's sibling from an earlier build, for an encoding
		// this one did not write, would be served for the new bytes.
		for _, enc := range manifest.Encodings() {
			suffix := manifest.Suffix(enc)
			if _, ok := r.sizes[enc]; ok && p.cfg.KeepUnhashed || taken[o.Name+suffix] {
				continue
			}
			if _, err := os.Lstat(filepath.Join(p.outputDir, filepath.FromSlash(o.Name+suffix))); err == nil {
				remove = append(remove, o.Name+suffix)
			}
		}
	}
	slices.Sort(remove)
	return files, remove, reused, nil
}

var zstdEncoders sync.Map // level → *zstd.Encoder, safe for concurrent EncodeAll

// compressWith compresses data with an encoding, deterministically: the
// same bytes on every run (gzip with no name and no time).
func compressWith(enc string, c *compressConfig, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	switch enc {
	case "gzip":
		w, err := gzip.NewWriterLevel(&buf, c.GzipLevel)
		if err != nil {
			return nil, err
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			return nil, err
		}
	case "br":
		w := brotli.NewWriterLevel(&buf, c.BrotliLevel)
		w.Write(data)
		if err := w.Close(); err != nil {
			return nil, err
		}
	case "zstd":
		e, ok := zstdEncoders.Load(c.ZstdLevel)
		if !ok {
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevel(c.ZstdLevel)), zstd.WithEncoderConcurrency(1))
			if err != nil {
				return nil, err
			}
			e, _ = zstdEncoders.LoadOrStore(c.ZstdLevel, enc)
		}
		return e.(*zstd.Encoder).EncodeAll(data, nil), nil
	}
	return buf.Bytes(), nil
}
