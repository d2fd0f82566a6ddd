package manifest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
)

// Causes of the problems [Verify] finds in a deployed output directory.
var (
	// ErrMissingFile: a file a manifest names is not there.
	ErrMissingFile = errors.New("missing")
	// ErrFileMismatch: a file is not what the manifest says: its size,
	// its integrity hash, the hash in its name, or a plain copy that
	// differs from the hashed file.
	ErrFileMismatch = errors.New("does not match the manifest")
	// ErrManifestsDisagree: staticfiles.json and stapler-manifest.json
	// map a name differently.
	ErrManifestsDisagree = errors.New("the manifests disagree")
)

// Verify checks an output directory as deployed, copied or synced: its
// manifests parse and, when both are there, agree; every file they name is
// there, with the recorded size and integrity, and the hash in its name is
// the hash of its bytes (the files of a reference cycle share one hash,
// over all of them, and are checked by their integrity); a plain copy
// holds the same bytes as its hashed file. It returns the manifest — the
// stapler one, or Django's when it is the only one — and every problem as
// an [ErrorList] whose fields name the files.
func Verify(fsys fs.FS) (*Manifest, error) {
	var errs ErrorList
	var m *Manifest
	data, err := fs.ReadFile(fsys, FileName)
	switch {
	case err == nil:
		if m, err = Parse(data); err != nil {
			return nil, fmt.Errorf("%s: %w", FileName, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	djData, err := fs.ReadFile(fsys, DjangoFileName)
	switch {
	case err == nil:
		paths, _, err := ParseDjango(djData)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", DjangoFileName, err)
		}
		if m == nil {
			m, err = Load(fsys, DjangoFileName)
			if err != nil {
				return nil, err
			}
			break
		}
		errs = append(errs, disagreements(m.Paths(), paths)...)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	case m == nil:
		return nil, fmt.Errorf("no %s or %s: %w", FileName, DjangoFileName, fs.ErrNotExist)
	}

	shared := map[string]int{} // how many entries each name hash is in
	for _, e := range m.Files {
		if _, hash, ok := SplitHashed(e.Path); ok {
			shared[hash]++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		if err := verifyEntry(fsys, name, m.Files[name], shared, &errs); err != nil {
			return nil, err
		}
	}
	return m, errs.err()
}

// integrityOf computes the integrity value of data with the algorithm of
// want: a build's is [Integrity]'s, but a manifest may record any that
// SRI allows.
func integrityOf(want string, data []byte) string {
	switch {
	case strings.HasPrefix(want, "sha256-"):
		sum := sha256.Sum256(data)
		return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	case strings.HasPrefix(want, "sha512-"):
		sum := sha512.Sum512(data)
		return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
	}
	return Integrity(data)
}

// gunzipsTo reports whether z is a gzip stream of data.
func gunzipsTo(z, data []byte) bool {
	r, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return false
	}
	got, err := io.ReadAll(r)
	return err == nil && bytes.Equal(got, data)
}

// verifyEntry checks the files of one entry of the manifest: its hashed
// file, its precompressed siblings and its plain copy, adding a problem
// to errs for each that is not what the entry says. shared counts the
// entries of each name hash: a hash that several entries share, the files
// of a cycle, is not the hash of any one file's bytes.
func verifyEntry(fsys fs.FS, name string, e Entry, shared map[string]int, errs *ErrorList) error {
	data, err := fs.ReadFile(fsys, e.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		errs.add(e.Path, fmt.Errorf("%w (for %q)", ErrMissingFile, name))
		return nil
	case err != nil:
		return err
	}
	if e.Size != 0 || e.Integrity != "" { // Django's manifest records neither
		if int64(len(data)) != e.Size {
			errs.add(e.Path, fmt.Errorf("%w: %d bytes, the manifest says %d", ErrFileMismatch, len(data), e.Size))
		}
	}
	if e.Integrity != "" && e.Integrity != integrityOf(e.Integrity, data) {
		errs.add(e.Path, fmt.Errorf("%w: integrity %s, the manifest says %s", ErrFileMismatch, integrityOf(e.Integrity, data), e.Integrity))
	}
	logical, hash, ok := SplitHashed(e.Path)
	switch {
	case !ok || logical != name:
		errs.add(e.Path, fmt.Errorf("%w: not a hashed name of %q", ErrFileMismatch, name))
	case shared[hash] == 1 && hash != ContentHash(data):
		errs.add(e.Path, fmt.Errorf("%w: its bytes hash to %s", ErrFileMismatch, ContentHash(data)))
	}
	for _, enc := range slices.Sorted(maps.Keys(e.Encodings)) {
		sibling := e.Path + Suffix(enc)
		st, err := fs.Stat(fsys, sibling)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			errs.add(sibling, fmt.Errorf("%w (the %s copy of %q)", ErrMissingFile, enc, name))
			continue
		case err != nil:
			return err
		case st.Size() != e.Encodings[enc]:
			errs.add(sibling, fmt.Errorf("%w: %d bytes, the manifest says %d", ErrFileMismatch, st.Size(), e.Encodings[enc]))
			continue
		}
		if enc == "gzip" { // the one encoding the standard library reads
			if z, err := fs.ReadFile(fsys, sibling); err != nil {
				return err
			} else if !gunzipsTo(z, data) {
				errs.add(sibling, fmt.Errorf("%w: it does not decompress to %s", ErrFileMismatch, e.Path))
			}
		}
	}
	if plain, err := fs.ReadFile(fsys, name); err == nil && !bytes.Equal(plain, data) {
		errs.add(name, fmt.Errorf("%w: the plain copy differs from %s", ErrFileMismatch, e.Path))
	}
	return nil
}

// disagreements returns a problem for each name that Django's manifest,
// theirs, maps to another file than stapler's, ours, or not at all.
func disagreements(ours, theirs map[string]string) ErrorList {
	var errs ErrorList
	names := maps.Clone(ours)
	maps.Copy(names, theirs)
	for _, name := range slices.Sorted(maps.Keys(names)) {
		their, inTheirs := theirs[name]
		mine, inOurs := ours[name]
		switch {
		case !inTheirs:
			errs.add(DjangoFileName, fmt.Errorf("%w: %q is missing from it", ErrManifestsDisagree, name))
		case !inOurs:
			errs.add(DjangoFileName, fmt.Errorf("%w: %q is only in it", ErrManifestsDisagree, name))
		case their != mine:
			errs.add(DjangoFileName, fmt.Errorf("%w: %q is %q in it, %q in %s", ErrManifestsDisagree, name, their, mine, FileName))
		}
	}
	return errs
}
