package finders

import (
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/stapler-build/stapler/internal/suggest"
)

// Root is one directory of static files.
type Root struct {
	FS     fs.FS  // the directory's files
	Prefix string // "" or a slash-separated name: the root's files appear under Prefix+"/"
	Dir    string // how to show the root to a person, e.g. "static" or "apps/blog/static"
}

// File is a file found in a root.
type File struct {
	Name string // logical name: Prefix + "/" + Path (or just Path without prefix), slash-separated
	Root int    // index of its root in the Finder
	Path string // the file's path inside Root.FS
}

// Finder resolves logical names and globs across ordered roots.
// Its methods are safe for concurrent use.
type Finder struct {
	roots []Root
	once  sync.Once
	idx   *index
	err   *walkError
}

// index is what a Finder knows of its roots once they are walked.
type index struct {
	links   []Link            // in root order, each root's in walk order
	winners []File            // the first file of every name, sorted by Name
	byName  map[string][]File // every file of every name, in root order
	byLower map[string][]string
}

// New returns a Finder over roots, earlier roots first: when two roots hold
// the same logical name, the earlier one supplies it. New does no I/O; the
// roots are walked on first use.
func New(roots ...Root) *Finder {
	return &Finder{roots: slices.Clone(roots)}
}

// Roots returns the roots of f, in order.
func (f *Finder) Roots() []Root { return slices.Clone(f.roots) }

// load walks the roots, once.
func (f *Finder) load() (*index, *walkError) {
	f.once.Do(f.build)
	return f.idx, f.err
}

func (f *Finder) build() {
	// Every root is walked in parallel into its own slot, and the slots are
	// merged in root order, so the result does not depend on timing.
	paths := make([][]string, len(f.roots))
	links := make([][]Link, len(f.roots))
	errs := make([]*walkError, len(f.roots))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, r := range f.roots {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			paths[i], links[i], errs[i] = walkRoot(r, f.label(i))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			f.err = err
			return
		}
	}

	idx := &index{byName: make(map[string][]File), byLower: make(map[string][]string)}
	for i, ls := range links {
		for _, l := range ls {
			l.Root = i
			idx.links = append(idx.links, l)
		}
	}
	for i, r := range f.roots {
		for _, p := range paths[i] {
			name := p
			if r.Prefix != "" {
				name = r.Prefix + "/" + p
			}
			file := File{Name: name, Root: i, Path: p}
			files, seen := idx.byName[name]
			idx.byName[name] = append(files, file)
			if !seen {
				idx.winners = append(idx.winners, file)
				lower := strings.ToLower(name)
				idx.byLower[lower] = append(idx.byLower[lower], name)
			}
		}
	}
	slices.SortFunc(idx.winners, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	for _, names := range idx.byLower {
		slices.Sort(names)
	}
	f.idx = idx
}

// label returns how to show root i to a person.
func (f *Finder) label(i int) string {
	if d := f.roots[i].Dir; d != "" {
		return d
	}
	return fmt.Sprintf("roots[%d]", i)
}

// Find returns the file that the first root holding name supplies, and the
// files of later roots that it hides, in root order.
//
// Names are compared with the roots' listings, never opened, so they are
// case-sensitive on every OS. Errors are [*Error]s wrapping [ErrInvalidName],
// [ErrNotFound] (with Suggestions), [ErrCaseMismatch] (with the name as it
// exists in Suggestions), [ErrSymlinkLoop] or an I/O error from walking
// a root.
func (f *Finder) Find(name string) (File, []File, error) {
	if p := nameProblem(name); p != "" {
		return File{}, nil, &Error{Op: "find", Name: name, Err: ErrInvalidName, Detail: p}
	}
	idx, werr := f.load()
	if werr != nil {
		return File{}, nil, werr.asError("find", name)
	}
	if files, ok := idx.byName[name]; ok {
		var hidden []File
		if len(files) > 1 {
			hidden = slices.Clone(files[1:])
		}
		return files[0], hidden, nil
	}
	if names := idx.byLower[strings.ToLower(name)]; len(names) > 0 {
		return File{}, nil, &Error{
			Op: "find", Name: name, Err: ErrCaseMismatch,
			Suggestions: slices.Clone(names),
			Detail:      "exists as " + quoteAll(names),
		}
	}
	names := make([]string, len(idx.winners))
	for i, f := range idx.winners {
		names[i] = f.Name
	}
	err := &Error{Op: "find", Name: name, Err: ErrNotFound, Suggestions: suggest.Nearest(name, names)}
	if lo, hi := idx.under(name); lo < hi {
		err.Detail = "is a directory"
	}
	return File{}, nil, err
}

// quoteAll returns names quoted and separated by commas.
func quoteAll(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}

// under returns the range of winners whose names are inside the directory
// dir.
func (idx *index) under(dir string) (lo, hi int) {
	lo, _ = slices.BinarySearchFunc(idx.winners, dir+"/", func(f File, s string) int { return strings.Compare(f.Name, s) })
	hi = lo
	for hi < len(idx.winners) && strings.HasPrefix(idx.winners[hi].Name, dir+"/") {
		hi++
	}
	return lo, hi
}

// Glob returns the files supplied for the logical names that match
// pattern, sorted by Name: one file per name, from the first root that
// holds it. Patterns use doublestar's syntax (see the package
// documentation) and match names across all roots, prefixes included.
//
// A pattern that matches nothing is an error wrapping [ErrNoMatch]; a
// malformed one, or one that could never match a logical name, such as
// "./js/*.js", wraps [ErrBadPattern] and says why in Detail.
func (f *Finder) Glob(pattern string) ([]File, error) {
	if p := patternProblem(pattern); p != "" {
		return nil, &Error{Op: "glob", Name: pattern, Err: ErrBadPattern, Detail: p}
	}
	idx, werr := f.load()
	if werr != nil {
		return nil, werr.asError("glob", pattern)
	}
	var matches []File
	try := func(file File) {
		if doublestar.MatchUnvalidated(pattern, file.Name) {
			matches = append(matches, file)
		}
	}
	// Only names that start with the pattern's static base can match, and
	// they sit together in the sorted list of winners. A base may match
	// itself ("js/**" matches "js"), so its own name is a candidate too.
	if base, _ := doublestar.SplitPattern(pattern); base == "." {
		for _, file := range idx.winners {
			try(file)
		}
	} else {
		if i, ok := slices.BinarySearchFunc(idx.winners, base, func(f File, s string) int { return strings.Compare(f.Name, s) }); ok {
			try(idx.winners[i])
		}
		lo, hi := idx.under(base)
		for _, file := range idx.winners[lo:hi] {
			try(file)
		}
	}
	if len(matches) == 0 {
		return nil, &Error{Op: "glob", Name: pattern, Err: ErrNoMatch}
	}
	return matches, nil
}

// A Link is a symbolic link in a root that leads out of it.
type Link struct {
	Root   int    // index of its root in the Finder
	Path   string // the link's path inside Root.FS, slash-separated
	Target string // what the link holds, as it holds it
}

// Links returns the symbolic links that lead out of their roots, which a
// walk follows like any other: an absolute target, or a relative one that
// climbs above the root. Only the first such link on a path is listed;
// links further out are not. An FS that cannot read links (see
// [fs.ReadLinkFS]; os.DirFS can) reports none. Its errors are Files'.
func (f *Finder) Links() ([]Link, error) {
	idx, werr := f.load()
	if werr != nil {
		return nil, werr.asError("files", "")
	}
	return slices.Clone(idx.links), nil
}

// Files returns the file supplied for every logical name in every root,
// sorted by Name. Its errors, from walking the roots, have Op "files".
func (f *Finder) Files() ([]File, error) {
	idx, werr := f.load()
	if werr != nil {
		return nil, werr.asError("files", "")
	}
	return slices.Clone(idx.winners), nil
}

// ReadFile reads a file found by f.
func (f *Finder) ReadFile(file File) ([]byte, error) {
	if file.Root < 0 || file.Root >= len(f.roots) {
		return nil, &Error{Op: "read", Name: file.Name, Err: ErrNotFound, Detail: fmt.Sprintf("no root %d", file.Root)}
	}
	fsys := f.roots[file.Root].FS
	if fsys == nil {
		return nil, fmt.Errorf("root %s has no FS", f.label(file.Root))
	}
	data, err := fs.ReadFile(fsys, file.Path)
	if err != nil {
		return nil, underLabel(f.label(file.Root), err)
	}
	return data, nil
}
