package bundler_test

// BenchmarkCompressLevels measures what [compress]'s defaults are chosen
// from: for each encoder and level, the time to compress eight real
// stylesheets and scripts and their total compressed size. Like the
// minifier measurements it is an explicit opt-in, the files being
// third-party and never committed:
//
//	dir=$(bash testdata/realworld/fetch.sh /tmp/realworld)
//	STAPLER_REALWORLD=$dir go test -run '^$' -bench CompressLevels -benchtime 3x ./bundler
//
// Each file is compressed twice over: as the package ships it (src) and
// minified by esbuild as stapler minifies (min), since a build compresses
// whichever it wrote. One op compresses the whole set, one file after
// another on one goroutine, as one worker of Build's pool would; MB/s is
// of input. The custom metrics are the set's compressed bytes (out-B) and
// their share of the input (%in).

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/evanw/esbuild/pkg/api"
	"github.com/klauspost/compress/zstd"
	"github.com/stapler-build/stapler/internal/testenv"
)

// compressBenchFiles are the files fetch.sh fetches that are measured:
// three's build/three.core.js is the library (three.cjs is a stub).
var compressBenchFiles = []string{
	"jquery/dist/jquery.js",
	"bootstrap/dist/css/bootstrap.css",
	"bootstrap/dist/js/bootstrap.js",
	"lodash/lodash.js",
	"d3/dist/d3.js",
	"three/build/three.core.js",
	"@fortawesome/fontawesome-free/css/all.css",
	"animate.css/animate.css",
}

// compressCodec is an encoder at one level; compress returns a new slice.
type compressCodec struct {
	name     string
	compress func(tb testing.TB, data []byte) []byte
	check    func(comp []byte) ([]byte, error) // decompresses
}

func gzipCodec(level int) compressCodec {
	return compressCodec{
		name: fmt.Sprintf("gzip-%d", level),
		compress: func(tb testing.TB, data []byte) []byte {
			var buf bytes.Buffer
			w, err := gzip.NewWriterLevel(&buf, level)
			if err != nil {
				tb.Fatal(err)
			}
			w.Write(data)
			if err := w.Close(); err != nil {
				tb.Fatal(err)
			}
			return buf.Bytes()
		},
		check: func(comp []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(comp))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
	}
}

func brotliCodec(level int) compressCodec {
	return compressCodec{
		name: fmt.Sprintf("brotli-%d", level),
		compress: func(tb testing.TB, data []byte) []byte {
			var buf bytes.Buffer
			w := brotli.NewWriterLevel(&buf, level)
			w.Write(data)
			if err := w.Close(); err != nil {
				tb.Fatal(err)
			}
			return buf.Bytes()
		},
		check: func(comp []byte) ([]byte, error) {
			return io.ReadAll(brotli.NewReader(bytes.NewReader(comp)))
		},
	}
}

// zstdCodec uses one encoder for every file, with EncodeAll, as a build
// would (an encoder is costly to make, and EncodeAll is safe for
// concurrent use). The name is the level's number in [compress]
// zstd_level: 2 SpeedDefault, 3 SpeedBetterCompression, 4
// SpeedBestCompression.
func zstdCodec(level zstd.EncoderLevel) compressCodec {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(err)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		panic(err)
	}
	return compressCodec{
		name: fmt.Sprintf("zstd-%d", level),
		compress: func(tb testing.TB, data []byte) []byte {
			return enc.EncodeAll(data, nil)
		},
		check: func(comp []byte) ([]byte, error) {
			return dec.DecodeAll(comp, nil)
		},
	}
}

func BenchmarkCompressLevels(b *testing.B) {
	dir := testenv.RealWorld(b)
	var src, minified [][]byte
	for _, name := range compressBenchFiles {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			b.Fatalf("%v (run testdata/realworld/fetch.sh %s again?)", err, dir)
		}
		src = append(src, data)
		loader := api.LoaderJS
		if path.Ext(name) == ".css" {
			loader = api.LoaderCSS
		}
		r := api.Transform(string(data), api.TransformOptions{
			Loader:            loader,
			MinifyWhitespace:  true,
			MinifyIdentifiers: true,
			MinifySyntax:      true,
			Sourcefile:        name,
		})
		if len(r.Errors) > 0 {
			b.Fatalf("%s: esbuild: %s", name, r.Errors[0].Text)
		}
		minified = append(minified, r.Code)
	}
	codecs := []compressCodec{
		gzipCodec(6), gzipCodec(9),
		brotliCodec(5), brotliCodec(9), brotliCodec(10), brotliCodec(11),
		zstdCodec(zstd.SpeedDefault), zstdCodec(zstd.SpeedBetterCompression), zstdCodec(zstd.SpeedBestCompression),
	}
	for _, set := range []struct {
		name  string
		files [][]byte
	}{{"src", src}, {"min", minified}} {
		var in int64
		for _, f := range set.files {
			in += int64(len(f))
		}
		for _, c := range codecs {
			b.Run(set.name+"/"+c.name, func(b *testing.B) {
				var out int64
				for i, f := range set.files {
					comp := c.compress(b, f)
					if got, err := c.check(comp); err != nil || !bytes.Equal(got, f) {
						b.Fatalf("%s: %s does not decompress to its input: %v", compressBenchFiles[i], c.name, err)
					}
					out += int64(len(comp))
				}
				b.SetBytes(in)
				b.ReportAllocs()
				for b.Loop() {
					for _, f := range set.files {
						c.compress(b, f)
					}
				}
				b.ReportMetric(float64(out), "out-B")
				b.ReportMetric(100*float64(out)/float64(in), "%in")
			})
		}
	}
}
