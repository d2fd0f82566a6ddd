package publish

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/manifest"
	"github.com/stapler-build/stapler/publish/internal/s3"
)

// Prune deletes from the bucket's prefix what [bundler.Prune] deletes
// from an output directory, by the same policy and options: the hashed
// objects (the names [manifest.SplitHashed] recognises), with their
// precompressed siblings, that neither the current manifest nor the
// manifests of the last Keep-1 publishes before it (the history
// [Publish] keeps under .stapler/) name, and that are older than MinAge
// by their Last-Modified. It never deletes an object the current
// manifest names, a plain copy, a manifest or the history it lists; the
// replaced manifests it no longer lists go as old hashed objects do (see
// [bundler.HistoryUnlisted]). Waiting is not used: nothing locks a
// bucket, so run it when no publish is under way.
func Prune(ctx context.Context, t Target, opts bundler.PruneOptions) (*bundler.PruneResult, error) {
	if opts.Keep <= 0 {
		opts.Keep = 3
	}
	switch {
	case opts.MinAge == 0:
		opts.MinAge = time.Hour
	case opts.MinAge < 0:
		opts.MinAge = 0
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c, objects, err := t.connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	keep, builds, err := kept(ctx, c, opts.Keep)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	res := &bundler.PruneResult{}
	cutoff := opts.Now.Add(-opts.MinAge)
	for _, o := range objects {
		switch v := verdict(o.Key, keep, builds); v {
		case keepIt:
			res.Kept++
		case byAge, unlisted:
			if o.LastModified.After(cutoff) {
				if v == byAge {
					res.Kept++
				}
				continue
			}
			res.Removed = append(res.Removed, o.Key)
			res.Bytes += o.Size
		}
	}
	slices.Sort(res.Removed)
	if !opts.DryRun && len(res.Removed) > 0 {
		if err := c.Delete(ctx, res.Removed); err != nil {
			return nil, fmt.Errorf("prune: %w", err)
		}
	}
	return res, nil
}

// kept returns the paths that the current manifest and the last keep-1
// manifests of the history name, and the current manifest's names; and
// the replaced manifests the history lists.
func kept(ctx context.Context, c *s3.Client, keep int) (names map[string]bool, builds []string, err error) {
	data, err := c.Get(ctx, manifest.FileName)
	if err != nil {
		return nil, nil, fmt.Errorf("no current manifest: %w", err)
	}
	current, err := manifest.Parse(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.URL(manifest.FileName), err)
	}
	names = map[string]bool{}
	for name, e := range current.Files {
		names[e.Path] = true
		names[name] = true
	}
	index, err := c.Get(ctx, bundler.HistoryIndex)
	if err != nil && !errors.Is(err, s3.ErrNotFound) {
		return nil, nil, err
	}
	builds, err = bundler.HistoryBuilds(index)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", c.URL(bundler.HistoryIndex), err)
	}
	for _, b := range builds[:min(len(builds), keep-1)] {
		key := bundler.HistoryDir + "/" + b
		data, err := c.Get(ctx, key)
		if err != nil {
			return nil, nil, err
		}
		old, err := manifest.Parse(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", c.URL(key), err)
		}
		for _, e := range old.Files {
			names[e.Path] = true
		}
	}
	return names, builds, nil
}

// What Prune makes of an object.
const (
	leave    = iota // not a hashed file: a plain copy, a manifest, the history, another's
	keepIt          // a hashed file a kept manifest names, or its sibling
	byAge           // a hashed file no kept manifest names: deleted once old enough
	unlisted        // a replaced manifest the history no longer lists: deleted once old enough
)

// verdict says what Prune makes of the object key, as bundler.Prune
// does of a directory's file of that name: a precompressed sibling
// (x.<hash>.css.br) goes with its hashed file.
func verdict(key string, keep map[string]bool, builds []string) int {
	if bundler.HistoryUnlisted(key, builds) {
		return unlisted
	}
	if strings.HasPrefix(key, ".stapler/") || key == manifest.FileName || key == manifest.DjangoFileName {
		return leave
	}
	of := key
	for _, enc := range manifest.Encodings() {
		if s, ok := strings.CutSuffix(key, manifest.Suffix(enc)); ok {
			of = s
			break
		}
	}
	if _, _, hashed := manifest.SplitHashed(path.Base(of)); !hashed {
		return leave
	}
	if keep[of] {
		return keepIt
	}
	return byAge
}
