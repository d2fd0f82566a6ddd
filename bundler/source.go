package bundler

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/finders"
)

// A source is a file of a root that a build reads: a bundle's source or a
// file a stylesheet references. Each is read once, however many bundles
// use it, and what is derived from its bytes alone is computed once.
type source struct {
	file    finders.File
	display string // its path for messages

	readOnce sync.Once
	data     []byte
	readErr  error

	hashOnce sync.Once
	hash     string // of data, for a file copied as is

	jsOnce [2]sync.Once // [0] checked, [1] minified
	js     [2][]byte
	jsDiag [2]ErrorList

	cssOnce  sync.Once
	scan     cssScan
	lines    lineIndex
	cssDiags ErrorList
}

// sourceSet holds the sources of one run, by logical name.
type sourceSet struct {
	finder *finders.Finder
	mu     sync.Mutex
	byName map[string]*source
}

func newSourceSet(f *finders.Finder) *sourceSet {
	return &sourceSet{finder: f, byName: map[string]*source{}}
}

func (s *sourceSet) get(f finders.File, display string) *source {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.byName[f.Name]
	if !ok {
		src = &source{file: f, display: display}
		s.byName[f.Name] = src
	}
	return src
}

// all returns the sources read so far, sorted by name.
func (s *sourceSet) all() []*source {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*source, 0, len(s.byName))
	for _, src := range s.byName {
		out = append(out, src)
	}
	slices.SortFunc(out, func(a, b *source) int { return strings.Compare(a.file.Name, b.file.Name) })
	return out
}

func (s *sourceSet) read(src *source) ([]byte, error) {
	src.readOnce.Do(func() { src.data, src.readErr = s.finder.ReadFile(src.file) })
	return src.data, src.readErr
}

// contentHash returns the file's hash, for naming a copy of it.
func (s *sourceSet) contentHash(src *source) (string, error) {
	data, err := s.read(src)
	if err != nil {
		return "", err
	}
	src.hashOnce.Do(func() { src.hash = contentHash(data) })
	return src.hash, nil
}

// script returns a JS source checked, and minified if asked.
func (s *sourceSet) script(src *source, minify bool) ([]byte, ErrorList, error) {
	data, err := s.read(src)
	if err != nil {
		return nil, nil, err
	}
	i := 0
	if minify {
		i = 1
	}
	src.jsOnce[i].Do(func() {
		out, diags := transform(data, src.display, api.LoaderJS, minify)
		if !minify {
			out = data
		}
		src.js[i], src.jsDiag[i] = out, diags
	})
	return src.js[i], src.jsDiag[i], nil
}

// stylesheet returns a CSS source's references and the problems esbuild
// finds in it, at the source's own lines.
func (s *sourceSet) stylesheet(src *source) (*source, error) {
	data, err := s.read(src)
	if err != nil {
		return nil, err
	}
	src.cssOnce.Do(func() {
		src.scan = scanCSS(data)
		src.lines = newLineIndex(data)
		_, src.cssDiags = transform(data, src.display, api.LoaderCSS, false)
	})
	return src, nil
}

// contentHash is the hash in an output's name: the first 12 hex digits of
// the SHA-256 of its final bytes.
func contentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

// hashedName puts hash before a name's last extension: css/site.css →
// css/site.<hash>.css, a.min.js → a.min.<hash>.js, LICENSE → LICENSE.<hash>.
func hashedName(name, hash string) string {
	dir, base := path.Split(name)
	ext := path.Ext(base)
	if ext == base { // ".htaccess": a name, not an extension
		ext = ""
	}
	return dir + strings.TrimSuffix(base, ext) + "." + hash + ext
}
