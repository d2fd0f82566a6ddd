package bundler

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/globals"
	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
)

// A source is a file of a root that a build reads: a bundle's source, a
// collected file, a file a stylesheet references. Each is read once,
// however many bundles use it, and what is derived from its bytes alone is
// computed once.
type source struct {
	file    finders.File
	display string // its path for messages

	readOnce sync.Once
	data     []byte
	readErr  error

	// A file copied as it is whose bytes the build let go of once they
	// were hashed (see spill): read again, and checked, when needed.
	spilled   atomic.Bool
	spillHash string // what they hash to
	size      int64  // their length

	// For a file copied as it is, with a build cache (see probe): the
	// cache's entry when its stat shows it unchanged, and it is not read;
	// otherwise its stat, taken before it is read, for the next index.
	hit    *cacheEntry
	abs    string
	stat   cacheStat
	statAt time.Time

	checked  scriptResult // a script as it is, checked by esbuild
	minified scriptResult // a script minified by esbuild

	scanOnce sync.Once
	scan     scan.Stylesheet // a stylesheet's; for a script, only refs
	lines    lazyLines       // of data, once scanned

	checkOnce sync.Once
	cssDiags  ErrorList // esbuild's problems with a stylesheet, alone

	globalsOnce sync.Once
	globals     *globals.Script // a script's top level, for a script bundle's order
	globalLines lineIndex

	refsOnce sync.Once
	resolved []resolved
	refsErr  error
}

// A scriptResult is what esbuild made of a JavaScript source, once per build.
type scriptResult struct {
	once  sync.Once
	js    []byte
	m     *sourcemap.Map // when the project makes source maps
	diags ErrorList
}

// resolved is a reference and what it names.
type resolved struct {
	scan.Ref
	target *source     // the root's file it names; nil when left as written or made
	made   *madeFile   // the file of the build's it names, for an esbuild output's reference
	suffix string      // the query and fragment, kept after the hashed name
	diag   *Diagnostic // the problem with it: an error, or a warning by [references] warn
}

// sourceSet holds the sources of one run, by logical name.
type sourceSet struct {
	p      *Project
	mu     sync.Mutex
	byName map[string]*source
	used   map[*value]bool // the config's patterns that matched something
	dirs   dirFDs          // for probe's stats; closed by close
}

// close releases what the set holds open.
func (s *sourceSet) close() { s.dirs.close() }

func newSourceSet(p *Project) *sourceSet {
	return &sourceSet{p: p, byName: map[string]*source{}, used: map[*value]bool{}}
}

func (s *sourceSet) get(f finders.File) *source {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, ok := s.byName[f.Name]
	if !ok {
		src = &source{file: f, display: s.p.FilePath(f)}
		s.byName[f.Name] = src
	}
	return src
}

// all returns the sources met so far, sorted by name.
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

// probe looks a file that the build copies as it is (see
// Project.copiedAsIs) up in the build cache, by its stat: a file the cache
// shows unchanged gets its entry, src.hit, and is not read; any other is
// stat'ed before it is read, for the next index.
func (s *sourceSet) probe(src *source) {
	c := s.p.cache
	if c == nil || !s.p.copiedAsIs(src.file.Name) {
		return
	}
	abs, ok := s.p.absPath(src)
	if !ok {
		return
	}
	f, st, at, err := s.statFile(abs)
	if err != nil {
		s.p.rec.note(abs, factStat, nil, err)
		return // reading it will say
	}
	if st.ino == 0 {
		s.p.rec.giveUp("cannot record " + abs)
		return
	}
	s.p.rec.add(f)
	src.abs = abs
	if e := c.lookup(abs, st); e != nil {
		src.hit = e
		return
	}
	src.stat, src.statAt = st, at
}

// statFile stats the file at abs, or takes the stat the record's check
// took of it when that found it as the record had it (Project.held); at
// is a time no later than the stat, from which the index counts its
// racy window.
func (s *sourceSet) statFile(abs string) (f fact, st cacheStat, at time.Time, err error) {
	if f, ok := s.p.held[abs]; ok {
		return f, cacheStat{size: f.Size, mtime: f.Mtime, ctime: f.Ctime, ino: f.Ino}, s.p.heldAt, nil
	}
	at = time.Now()
	f, st, err = s.dirs.statFile(abs)
	return f, st, at, err
}

// copySource returns the file src is and the stat its hash was taken
// under, when the writer may copy that file without reading it while it
// keeps that stat (see writer.copyCreate): the build cache's entry's,
// which it trusted, or the stat taken before src was read and hashed,
// when the cache would trust an entry of it recorded then. nil otherwise.
func (p *Project) copySource(src *source) *copySource {
	switch {
	case src.abs == "":
		return nil
	case src.hit != nil:
		return &copySource{abs: src.abs, stat: src.hit.cacheStat}
	}
	e := cacheEntry{cacheStat: src.stat, recorded: src.statAt.UnixNano()}
	if !e.trusted(src.stat, p.racy()) {
		return nil
	}
	return &copySource{abs: src.abs, stat: src.stat}
}

func (s *sourceSet) read(src *source) ([]byte, error) {
	src.readOnce.Do(func() { src.data, src.readErr = s.p.finder.ReadFile(src.file) })
	if src.spilled.Load() {
		return s.reread(src)
	}
	return src.data, src.readErr
}

// readChecked returns the bytes of a file copied as it is that the build
// did not keep, read when needed: one it let go of once hashed (reread
// checks those), or one the build cache showed unchanged, never read
// before and checked here against the hash its name was made of, which
// the cache's entry gave. A file changed since its stat fails the build
// rather than go out under a name its bytes do not hash to.
func (s *sourceSet) readChecked(src *source, hash string) ([]byte, error) {
	data, err := s.read(src)
	if err != nil || src.spilled.Load() {
		return data, err
	}
	return data, checkHash(src, data, hash)
}

// checkHash returns an error when data, the bytes of src read again, are
// not those its hashed name was made of.
func checkHash(src *source, data []byte, hash string) error {
	if manifest.ContentHash(data) != hash {
		return fmt.Errorf("%s changed while the build ran: build again", src.display)
	}
	return nil
}

// reread reads a spilled file again for whoever needs its bytes (the
// writer, compression), and checks that they are still those its hashed
// name was made of.
func (s *sourceSet) reread(src *source) ([]byte, error) {
	data, err := s.p.finder.ReadFile(src.file)
	if err != nil {
		return nil, err
	}
	if err := checkHash(src, data, src.spillHash); err != nil {
		return nil, err
	}
	return data, nil
}

// script returns a JS source checked, and minified if asked, with its
// source map when the project makes maps: esbuild's of the minified
// source, or one line for line.
func (s *sourceSet) script(src *source, minify bool) ([]byte, *sourcemap.Map, ErrorList, error) {
	data, err := s.read(src)
	if err != nil {
		return nil, nil, nil, err
	}
	js := &src.checked
	if minify {
		js = &src.minified
	}
	withMap := s.p.scriptMaps && minify
	if withMap {
		if _, err := s.scanned(src); err != nil {
			return nil, nil, nil, err
		}
	}
	js.once.Do(func() {
		if withMap {
			// esbuild would follow an inline map itself, to sources that
			// are not the logical names the bundle's map is made of. The
			// comment is a line comment: no column after it moves.
			data = withoutSourceMaps(data, src.scan.Refs)
		}
		kind := fmt.Sprintf("script %s %t %t", src.display, minify, withMap)
		r := s.p.cachedTransform(kind, data, func() transformed {
			defer s.p.esbuildSlot(len(data))()
			out, m, diags := transformMap(data, src.display, api.LoaderJS, minify, withMap)
			return transformed{out, m, diags}
		})
		out, m, diags := r.out, r.m, copied(r.diags)
		if !minify {
			out = data
		}
		js.js, js.diags = out, diags
		if withMap && len(diags) == 0 {
			sm, err := sourcemap.Decode(m)
			if err != nil { // esbuild's own map: a bug to report
				js.diags.errorf(Position{File: src.display, Line: 1, Col: 1}, CodeSourceMap, err, "esbuild's source map: %v", err)
				return
			}
			sm.Sources[0] = src.file.Name
			js.m = sm
		}
	})
	return js.js, js.m, js.diags, nil
}

// scanned returns a source with its references found, by its type: a
// stylesheet's url()s, @imports and source map comment, a script's
// source map comment; none for anything else.
func (s *sourceSet) scanned(src *source) (*source, error) {
	data, err := s.read(src)
	if err != nil {
		return nil, err
	}
	src.scanOnce.Do(func() {
		// Under Watch, a file unchanged since the last build is not
		// scanned again (15 ms of CPU a rebuild of the 4,000-file site):
		// a scan depends on the bytes alone, and is only read after.
		switch path.Ext(src.file.Name) {
		case ".css":
			src.scan = memoDo(s.p.opts.memo, "scan css", data, func() scan.Stylesheet { return scan.CSS(data) })
		case ".js", ".mjs":
			src.scan = memoDo(s.p.opts.memo, "scan js", data, func() scan.Stylesheet {
				return scan.Stylesheet{Refs: scan.JS(data), FirstRule: -1}
			})
		}
		src.lines.text = data
	})
	return src, nil
}

// checkStylesheet returns the problems esbuild finds in a stylesheet, at
// the source's own lines.
func (s *sourceSet) checkStylesheet(src *source) (ErrorList, error) {
	data, err := s.read(src)
	if err != nil {
		return nil, err
	}
	src.checkOnce.Do(func() {
		src.cssDiags = copied(s.p.cachedTransform("check "+src.display, data, func() transformed {
			defer s.p.esbuildSlot(len(data))()
			_, diags := transform(data, src.display, api.LoaderCSS, false)
			return transformed{diags: diags}
		}).diags)
	})
	return src.cssDiags, nil
}

// references returns a source's references resolved to the files they
// name, each problem with one kept beside it.
func (s *sourceSet) references(src *source) ([]resolved, error) {
	if _, err := s.scanned(src); err != nil {
		return nil, err
	}
	src.refsOnce.Do(func() {
		for _, r := range src.scan.Refs {
			res, err := s.resolve(src, r)
			if err != nil {
				src.refsErr = err
				return
			}
			src.resolved = append(src.resolved, res)
		}
	})
	return src.resolved, src.refsErr
}

// resolve finds the file a reference names. References to other sites,
// data: URIs and the like are left as written, and so are those that
// [references] ignore covers; a missing target is an error, or a warning
// where [references] warn covers it.
func (s *sourceSet) resolve(src *source, r scan.Ref) (resolved, error) {
	p := s.p
	res := resolved{Ref: r}
	if r.Kind == scan.Module {
		switch {
		case r.Dynamic:
			if !s.covers(p.cfg.References.Ignore, src.file.Name, "") {
				res.diag = &Diagnostic{Pos: src.lines.pos(src.display, r.At), Severity: SeverityWarning, Code: CodeDynamicImport,
					Message: fmt.Sprintf("%s…) is not a string: the module it loads cannot be given its hashed name, so it is loaded by its plain name", r.Text)}
			}
			return res, nil
		case !strings.HasPrefix(r.URL, "./") && !strings.HasPrefix(r.URL, "../") && !strings.HasPrefix(r.URL, "/"):
			return res, nil // a bare specifier names a package, for an import map
		}
	}
	name, suffix, local := localTarget(r.URL, path.Dir(src.file.Name), p.cfg.URL)
	if !local {
		return res, nil
	}
	// Both policies are matched against every local reference, so that a
	// pattern that matches none can be reported as a mistake.
	ignore := s.covers(p.cfg.References.Ignore, src.file.Name, name)
	warn := s.covers(p.cfg.References.Warn, src.file.Name, name)
	if ignore {
		return res, nil
	}
	code := CodeURLNotFound
	if r.Kind == scan.SourceMap {
		code = CodeSourceMapNotFound
	}
	problem := func(cause error, format string, args ...any) {
		d := &Diagnostic{Pos: src.lines.pos(src.display, r.At), Code: code, Err: cause,
			Message: fmt.Sprintf("%s → %q ", r.Text, name) + fmt.Sprintf(format, args...)}
		if warn {
			d.Severity = SeverityWarning
		}
		res.diag = d
	}
	f, _, err := p.finder.Find(name)
	switch {
	case err != nil && !isFindError(err):
		return res, err
	case errors.Is(err, finders.ErrNotFound):
		var fe *finders.Error
		errors.As(err, &fe)
		// Not the referring file itself, and for a source map only maps:
		// a missing map's nearest names are the file that names it and
		// its siblings.
		near := *fe
		near.Suggestions = slices.DeleteFunc(slices.Clone(fe.Suggestions), func(s string) bool {
			return s == src.file.Name || r.Kind == scan.SourceMap && path.Ext(s) != ".map"
		})
		problem(err, "%s", findProblem(&near))
		if len(near.Suggestions) > 0 {
			res.diag.Suggestion = near.Suggestions[0]
		}
		return res, nil
	case err != nil:
		problem(err, "%s", findProblem(err))
		return res, nil
	}
	if c := p.cfg.Collect; c != nil {
		// What [collect] leaves out is not published: a reference to it
		// would break where the site is served.
		if pat := finders.ExcludedBy(name, c.patterns()); pat != "" {
			code = CodeReferenceExcluded
			problem(nil, "is excluded by [collect] %q, so it would not be served", pat)
			return res, nil
		}
	}
	res.target, res.suffix = s.get(f), suffix
	return res, nil
}

// covers reports whether one of patterns matches the logical name of the
// referring file or of the target, and notes each pattern that does.
func (s *sourceSet) covers(patterns []value, from, target string) bool {
	hit := false
	for i := range patterns {
		p := &patterns[i]
		ok, _ := doublestar.Match(p.S, from)
		if !ok {
			ok, _ = doublestar.Match(p.S, target)
		}
		if ok {
			hit = true
			s.mu.Lock()
			s.used[p] = true
			s.mu.Unlock()
		}
	}
	return hit
}

// unusedPatterns reports the [collect] exclude and [references] patterns
// that matched nothing: a typo there would otherwise pass unnoticed.
func (s *sourceSet) unusedPatterns(diags *ErrorList) {
	c := s.p.cfg
	check := func(list []value, format string) {
		for i := range list {
			if !s.used[&list[i]] {
				diags.errorf(list[i].Pos, CodePatternUnused, finders.ErrNoMatch, format, list[i].S)
			}
		}
	}
	if c.Collect != nil {
		check(c.Collect.Exclude, "exclude %q excludes nothing")
	}
	check(c.References.Warn, "warn %q matches no reference")
	check(c.References.Ignore, "ignore %q matches no reference")
}
