package bundler

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stapler-build/stapler/manifest"
)

// Verify checks an output directory as it was deployed: everything
// [manifest.Verify] checks (both manifests parse and agree, every file is
// there with its recorded size, integrity and hash), and, when p is not
// nil, that the deployed manifest is the one a build of p's current
// sources makes: each entry that is stale, missing or not made any more is
// a problem. Problems come back as an [ErrorList], positioned at the file
// concerned or at the manifest's line for the name; the project's own
// problems, if any, come in the same list. The Result is p's check, or nil.
func Verify(ctx context.Context, dir string, p *Project) (*Result, error) {
	return VerifyFS(ctx, os.DirFS(dir), dir, p)
}

// VerifyFS is [Verify] over the files of fsys, a deployed output that
// need not be a directory (stapler verify reads a bucket through one).
// location names it in the problems' positions: a directory, joined with
// each file's name as a path, or a URL ending in a slash, which each
// name is appended to ("s3://static/site/css/site.3f2a9c1b4d5e.css").
func VerifyFS(ctx context.Context, fsys fs.FS, location string, p *Project) (*Result, error) {
	var diags ErrorList
	join := func(name string) string { return filepath.Join(location, filepath.FromSlash(name)) }
	if strings.Contains(location, "://") {
		join = func(name string) string { return location + name }
	}
	manifestPath := join(manifest.FileName)
	deployed, err := manifest.Verify(fsys)
	var list manifest.ErrorList
	switch {
	case deployed == nil && err != nil:
		// No manifest, or one that does not parse: say so, once.
		if errors.As(err, &list) || errors.Is(err, os.ErrNotExist) {
			diags.errorf(Position{File: manifestPath}, CodeManifest, err, "%v", err)
		} else {
			return nil, err
		}
	case errors.As(err, &list):
		for _, e := range list {
			code := CodeFileMismatch
			switch {
			case errors.Is(e, manifest.ErrMissingFile):
				code = CodeMissingFile
			case errors.Is(e, manifest.ErrManifestsDisagree):
				code = CodeManifestsDisagree
			}
			diags.errorf(Position{File: join(e.Field)}, code, e, "%s", e.Err)
		}
	case err != nil:
		return nil, err
	}
	if p == nil {
		return nil, diags.Err()
	}
	res, err := p.Check(ctx)
	var problems ErrorList
	switch {
	case errors.As(err, &problems):
		diags = append(diags, problems...)
	case err != nil:
		return nil, err
	}
	if res != nil && deployed != nil {
		lines := entryLines(fsys)
		at := func(name string) Position { return Position{File: manifestPath, Line: lines[name]} }
		built := res.Manifest.Files
		for _, name := range slices.Sorted(maps.Keys(built)) {
			d, ok := deployed.Files[name]
			switch {
			case !ok:
				diags.errorf(Position{File: manifestPath}, CodeNotDeployed, nil, "%q: the current sources make %s, which is not deployed", name, built[name].Path)
			case d.Path != built[name].Path:
				diags.errorf(at(name), CodeStale, nil, "%q: deployed %s, but the current sources make %s", name, d.Path, built[name].Path)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(deployed.Files)) {
			if _, ok := built[name]; !ok {
				diags.errorf(at(name), CodeNotMade, nil, "%q is deployed, but the current sources no longer make it", name)
			}
		}
	}
	return res, diags.Err()
}

// entryLines returns the line of each entry in fsys's stapler manifest,
// from the positions its decoder read the names at, so that any layout
// will do; nil when the file cannot be read. Lines only: a column would
// change what stapler verify prints.
func entryLines(fsys fs.FS) map[string]int {
	data, err := fs.ReadFile(fsys, manifest.FileName)
	if err != nil {
		return nil
	}
	at, _ := manifest.EntryPositions(data)
	lines := make(map[string]int, len(at))
	for name, p := range at {
		lines[name] = p.Line
	}
	return lines
}
