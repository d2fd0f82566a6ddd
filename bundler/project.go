package bundler

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/stapler-build/stapler/finders"
	"golang.org/x/sync/semaphore"
)

// Options says which project to load and where its outputs go. The zero
// value loads ./assets.toml and writes where it says.
type Options struct {
	// Config is the path of the config file; default "assets.toml". With
	// FS set, it is a slash-separated name in FS.
	Config string
	// FS, when set, holds the config and its roots (an fstest.MapFS, an
	// embed.FS): root paths are resolved inside it, and none may leave it.
	FS fs.FS
	// OutputDir overrides the config's output directory. Build needs it
	// when FS is set, since an fs.FS cannot be written to.
	OutputDir string
	// Progress, when set, is called as each output is made, one call at a
	// time, for a progress display.
	Progress func(Progress)
	// Unused reports each collected file that nothing refers to, as a
	// warning (an error under [collect] unused = "error"), and lists them
	// in Result.Unused; the command's check --unused.
	Unused bool
	// Strict makes every warning an error: the run fails on it, as the
	// config's strict = true and the command's --strict do.
	Strict bool
	// Waiting, when set, is called once when Build finds the output
	// directory locked by another build or prune, with what holds it
	// ("stapler build (pid 4242 on ci-7, since …)"), before it waits for
	// the lock until its context is done.
	Waiting func(holder string)
	// Cache keeps a build cache beside the output directory
	// (build/.static.cache), as the command does unless --no-cache: an
	// index from each copied file's stat to its hashes, so that a rebuild
	// does not read the files that did not change. It never changes an
	// output; it changes Output.Data (see there). docs/build.md has the
	// details.
	Cache bool
	// MapFiles, with Cache, has the build map its record and graph (1.7
	// MB on the 4,000-file site) into memory rather than read them, where
	// the platform can, and never unmap them: the result's strings are
	// theirs. For a process that builds once and exits, as the command's
	// build and check do: memory written for the first time costs a
	// process more than mapping what the page cache holds (on the
	// project's machine, 4 ms a MB against nothing). Watch leaves it off:
	// each build would keep another record mapped.
	MapFiles bool

	memo *memo // Watch's, kept from one build to the next

	// racyWindow is racyWindow unless a test sets it shorter, to see the
	// build cache and the record trusted without waiting.
	racyWindow time.Duration
	// spillBudget is spillBudget unless a test sets it smaller, to have
	// every copied file let go of once hashed.
	spillBudget int64
	// noStandIns has a test minify stylesheet bundles from their real
	// text, to hold the stand-ins to it (see standIns).
	noStandIns bool
	// checkFacts has a test compare the record's output facts taken from
	// the last record (see outputFactsFrom) with a listing's, into
	// Project.factsDiffer.
	checkFacts bool
}

// racy returns the window within which a change may not show in a stat.
func (p *Project) racy() time.Duration { return cmp.Or(p.opts.racyWindow, racyWindow) }

// A Project is a loaded config with its roots opened: what Check and Build
// work on. Problems found while loading (a typo in a key, a missing root)
// are kept and reported by Check and Build together with every other
// problem, so that one run reports all.
type Project struct {
	cfg *config // the decoded assets.toml

	finder    *finders.Finder
	roots     []finders.Root // the finder's roots, in search order
	rootCfg   []rootConfig   // the [[root]] each of roots comes from
	rootAbs   []string       // on disk: each root's absolute directory
	disk      bool           // the project is on disk, not in an fs.FS
	outputDir string         // on disk; "" when unknown
	problems  ErrorList
	opts      Options
	cache     *buildCache // for the run under way, with Options.Cache

	scriptMaps bool // a script bundle makes a source map: minify its sources with maps

	inEsbuild *semaphore.Weighted // bytes of source esbuild holds at once: see esbuildSlot

	config []byte    // the config's bytes
	rec    *recorder // with Options.Cache on disk: what the build reads, for its record
	// last is the record of the previous build when it could not stand
	// for this one (something changed): the manifest it wrote, for write
	// to take its paths from while the file is as that build left it.
	last *buildRecord
	// held are the facts of the files the record's check found to hold,
	// by path: the probe's stats (see sameCheck.holding).
	held   map[string]fact
	heldAt time.Time  // when the check began, before its first stat
	heldBy *sameCheck // the check, until make takes held from it
	// outputHeld says that the record's check found the output as the
	// record has it: every file of last's manifest in place, and no other
	// change since.
	outputHeld bool
	// patch is the patch build the record's check found possible;
	// patched, whether the last build was one.
	patch   *patchPlan
	patched bool
	// building is set while Build makes: Check has no record to write.
	building bool
	// built says that Build made builtRes, which saveLater has yet to
	// keep the cache and the record of.
	built    bool
	builtRes *Result
	// wroteManifest is the manifest the write put in place, under Watch
	// (see saveAfter).
	wroteManifest []byte
	// graphOut is the graph for the record of the build under way (see
	// patchGraphOf); templateFiles, the templates it checked, by path.
	graphOut      string
	templateFiles []string
	// patchFacts are, after a patch build, the facts of its record that
	// it did not read again (see saveRecord).
	patchFacts []fact
	// patchedGraph is the sum of the graph file a patch build started
	// from, which it leaves as it is.
	patchedGraph [sha256.Size]byte
	// patchEdited are the names of the outputs a patch build made anew:
	// the only entries of the record's manifest it changed.
	patchEdited []string
	// genDelta is what the write changed in the generation it switched
	// to, for the record (see spareDelta).
	genDelta    *spareDelta
	deltaSynced bool // the write made its generation from the last build's delta
	// outStats returns the stat of an output file by its inode, for the
	// record, where the write knows it: one it took and left standing
	// (see writer.untouched), or the last record's of one nothing
	// relinked (see keptStats). nil when it knows none.
	outStats func(ino uint64) (fact, bool)
	// factsDiffer, under Options.checkFacts, says how the record's output
	// facts differed from a listing's, when they did.
	factsDiffer string

	dir     fs.FS  // the config's directory, for [templates]
	dirName string // how to show it: "" for the current directory
}

// dirPath returns how to show the path of a file of the config's directory.
func (p *Project) dirPath(name string) string {
	if p.disk {
		return filepath.Join(p.dirName, filepath.FromSlash(name))
	}
	return path.Join(p.dirName, name)
}

// Load reads and decodes the config and opens its roots. Its error is
// for a config that cannot be read (exit status 2 for the command);
// problems in the config's contents come back from Check and Build.
func Load(opts Options) (*Project, error) {
	name := opts.Config
	if name == "" {
		name = "assets.toml"
	}
	var data []byte
	var err error
	if opts.FS != nil {
		data, err = fs.ReadFile(opts.FS, name)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	// Editors on Windows may start a UTF-8 file with a byte order mark,
	// which TOML does not allow; it is no column of the first line.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	p := &Project{opts: opts, inEsbuild: semaphore.NewWeighted(maxInEsbuild), config: data}
	if opts.FS == nil && opts.Cache {
		p.rec = newRecorder(p.racy())
	}
	top, syntax := parseTOML(name, data)
	if syntax != nil {
		p.cfg = &config{File: name}
		p.problems.add(syntax)
		p.finder = finders.New()
		return p, nil
	}
	p.cfg = decodeConfig(name, top, &p.problems)
	for _, b := range p.cfg.Bundles {
		if b.Entry.S != "" {
			// esbuild resolves its bare imports in node_modules itself.
			p.rec.giveUp("an entry bundle")
		}
		p.scriptMaps = p.scriptMaps || b.Entry.S == "" && b.Type() == "js" && b.SourceMap != sourceMapNone
	}
	p.openRoots(opts, name)
	return p, nil
}

// OutputDir returns the directory Build writes to: Options.OutputDir, or
// the config's output relative to its directory; "" for a project in an
// fs.FS without Options.OutputDir.
func (p *Project) OutputDir() string { return p.outputDir }

// Collects reports whether the config has a [collect] table: whether a
// build writes every file of the roots, not only the bundles.
func (p *Project) Collects() bool { return p.cfg.Collect != nil }

// Finder returns the project's finder: its roots, in search order.
func (p *Project) Finder() *finders.Finder { return p.finder }

// openRoots resolves each [[root]] to directories, in order, and checks
// the output directory against them.
func (p *Project) openRoots(opts Options, configName string) {
	c := p.cfg
	disk := opts.FS == nil
	p.disk = disk
	if disk {
		p.dir, p.dirName = p.traced(filepath.Dir(configName)), filepath.Dir(configName)
	} else {
		p.dirName = path.Dir(configName)
		p.dir, _ = fs.Sub(opts.FS, p.dirName)
	}
	var abs []string // each root's directory on disk, for containment checks
	base := filepath.Dir(configName)
	if !disk {
		base = path.Dir(configName)
	}
	for _, rc := range c.Roots {
		prefix := rc.Prefix.S
		if prefix != "" {
			if err := finders.ValidName(prefix); err != nil {
				p.problems.errorf(rc.Prefix.Pos, CodeBadValue, err, "root prefix %q is not a valid name: %v", prefix, detail(err))
				continue
			}
		}
		dirs, err := p.rootDirs(opts.FS, base, rc.Path.S)
		if err != nil {
			p.problems.errorf(rc.Path.Pos, CodeRoot, err, "root %q: %v", rc.Path.S, err)
			continue
		}
		for _, dir := range dirs {
			var fsys fs.FS
			if disk {
				// Not os.OpenRoot: it refuses symlinks that leave the
				// directory, which pnpm's node_modules is made of, and
				// holds a descriptor a library user would have to close.
				// finders.ValidName already keeps ".." out of names.
				fsys = p.traced(dir)
				a, _ := filepath.Abs(dir)
				abs = append(abs, a)
			} else {
				fsys, _ = fs.Sub(opts.FS, dir)
			}
			p.roots = append(p.roots, finders.Root{FS: fsys, Prefix: prefix, Dir: dir})
			p.rootCfg = append(p.rootCfg, rc)
		}
	}
	p.finder = finders.New(p.roots...)
	if disk {
		p.rootAbs = abs
	}

	switch {
	case opts.OutputDir != "":
		p.outputDir = opts.OutputDir
	case disk && c.Output.S != "":
		p.outputDir = filepath.Join(base, filepath.FromSlash(c.Output.S))
		if filepath.IsAbs(c.Output.S) {
			p.outputDir = c.Output.S
		}
	}
	if p.outputDir == "" {
		return
	}
	out, err := filepath.Abs(p.outputDir)
	if err != nil {
		return
	}
	for i, a := range abs {
		if within(out, a) || within(a, out) {
			p.problems.errorf(c.Output.Pos, CodeOutputOverlapsRoot, nil,
				"output %q overlaps root %q: a build would read its own outputs", c.Output.S, p.roots[i].Dir)
			break
		}
	}
}

// within reports whether dir is inside or equal to parent.
func within(dir, parent string) bool {
	rel, err := filepath.Rel(parent, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// rootDirs resolves a root's path, a directory or a glob of directories,
// against the config's directory: on disk, or inside fsys when it is set.
// On disk a glob reads the directories below its fixed part through a
// traced FS, so that the build record holds every listing and stat that
// chose the roots: a directory added that the glob matches is a change.
func (p *Project) rootDirs(fsys fs.FS, base, rootPath string) ([]string, error) {
	var full string
	var stat func(string) (fs.FileInfo, error)
	var glob func(string) ([]string, error)
	if fsys == nil {
		full = rootPath
		if !filepath.IsAbs(full) {
			full = filepath.Join(base, filepath.FromSlash(rootPath))
		}
		stat = os.Stat
		glob = func(pattern string) ([]string, error) {
			fixed, rest := doublestar.SplitPattern(filepath.ToSlash(pattern))
			fixed = filepath.FromSlash(fixed)
			dirFS := p.traced(fixed)
			matches, err := doublestar.Glob(dirFS, rest, doublestar.WithFailOnIOErrors())
			for i, m := range matches {
				matches[i] = filepath.Join(fixed, filepath.FromSlash(m))
			}
			// Each match's stat, below, through the same FS.
			stat = func(name string) (fs.FileInfo, error) {
				rel, err := filepath.Rel(fixed, name)
				if err != nil {
					return nil, err
				}
				return fs.Stat(dirFS, filepath.ToSlash(rel))
			}
			return matches, err
		}
	} else {
		full = path.Join(base, rootPath)
		if path.IsAbs(rootPath) || !fs.ValidPath(full) {
			return nil, errors.New("must stay inside the project's file system")
		}
		stat = func(name string) (fs.FileInfo, error) { return fs.Stat(fsys, name) }
		glob = func(pattern string) ([]string, error) {
			return doublestar.Glob(fsys, pattern, doublestar.WithFailOnIOErrors())
		}
	}
	if !strings.ContainsAny(rootPath, "*?[{") {
		st, err := stat(full)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, errors.New("directory does not exist")
		case err != nil:
			return nil, err
		case !st.IsDir():
			return nil, errors.New("not a directory")
		}
		return []string{full}, nil
	}
	matches, err := glob(full)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, m := range matches {
		if st, err := stat(m); err == nil && st.IsDir() {
			dirs = append(dirs, m)
		}
	}
	if len(dirs) == 0 {
		return nil, errors.New("pattern matches no directory")
	}
	slices.Sort(dirs)
	return dirs, nil
}

// detail returns what a finders error says is wrong, without its subject.
func detail(err error) string {
	var fe *finders.Error
	if errors.As(err, &fe) && fe.Detail != "" {
		return fe.Detail
	}
	if fe != nil {
		return fe.Err.Error()
	}
	return fmt.Sprint(err)
}
