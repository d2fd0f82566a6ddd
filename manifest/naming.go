package manifest

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"io"
	"path"
	"slices"
	"strings"
)

// The naming contract: how a build names the files it writes, and how
// [Verify], stapler prune and a web app recognise them again. It lives
// here, and only here, so that a change to it cannot leave a reader
// behind that silently stops recognising files.

// hashLen is the number of hex digits of a [ContentHash].
const hashLen = 12

// ContentHash returns the hash a build puts in the name of a file with
// these bytes: the first 12 lowercase hex digits of their SHA-256. The
// name changes whenever the bytes do, so a browser may cache the file
// for ever; 48 bits keep names short while a collision among the files
// of one site stays improbable.
func ContentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:hashLen/2])
}

// IsHash reports whether s has the form of a [ContentHash].
func IsHash(s string) bool {
	if len(s) != hashLen {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// HashedPath returns the name a build gives the file name with the given
// hash: the hash goes before the extension of the last element, or at
// its end when it has none. A leading dot starts a name, not an
// extension.
//
//	css/site.css  → css/site.<hash>.css
//	js/a.min.js   → js/a.min.<hash>.js
//	LICENSE       → LICENSE.<hash>
//	.htaccess     → .htaccess.<hash>
//
// Only the last element changes, so name may also be a URL path as a
// stylesheet wrote it, escapes and "../" included:
// ../img/my%20logo.png → ../img/my%20logo.<hash>.png.
func HashedPath(name, hash string) string {
	dir, base := path.Split(name)
	ext := path.Ext(base)
	if ext == base {
		ext = ""
	}
	return dir + strings.TrimSuffix(base, ext) + "." + hash + ext
}

// SplitHashed undoes [HashedPath]: for a p that HashedPath made from some
// name and a hash of [IsHash]'s form, it returns them and true; for any
// other p, false. Files of an output directory that it does not
// recognise are not a build's hashed files (plain copies, manifests, what
// someone else put there), and stapler prune leaves them alone.
func SplitHashed(p string) (name, hash string, ok bool) {
	dir, base := path.Split(p)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	// The hash before the extension, or the hash as the extension: at
	// most one of them is HashedPath's.
	if i := strings.LastIndexByte(stem, '.'); i > 0 && IsHash(stem[i+1:]) {
		name, hash = dir+stem[:i]+ext, stem[i+1:]
	} else if IsHash(strings.TrimPrefix(ext, ".")) {
		name, hash = dir+stem, ext[1:]
	} else {
		return "", "", false
	}
	if HashedPath(name, hash) != p {
		return "", "", false
	}
	return name, hash, true
}

// Integrity returns the Subresource Integrity value a build records for
// a file's bytes, and the [Handler] sends as their ETag: "sha384-" and
// the standard base64 of their SHA-384, as in the SRI specification's
// examples.
func Integrity(data []byte) string {
	s, _ := readIntegrity(bytes.NewReader(data))
	return s
}

// readIntegrity returns the [Integrity] of what r reads, for a file
// better read in pieces than held.
func readIntegrity(r io.Reader) (string, error) {
	h := sha512.New384()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return "sha384-" + base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
}

// Suffix returns the suffix of a file's sibling precompressed with a
// Content-Encoding — ".br" for "br", ".gz" for "gzip", ".zst" for
// "zstd", as whitenoise and the [Handler] name them — or "" for an
// encoding a build does not write.
func Suffix(encoding string) string {
	for _, c := range codings {
		if c.name == encoding {
			return c.ext
		}
	}
	return ""
}

// Encodings returns the Content-Encodings a build can precompress with,
// sorted: those [Suffix] knows.
func Encodings() []string {
	var encs []string
	for _, c := range codings {
		encs = append(encs, c.name)
	}
	slices.Sort(encs)
	return encs
}
