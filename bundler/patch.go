package bundler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
)

// A patch build is what a build does when its record (see recordFormat)
// shows that the only files that changed are files copied as they are (an
// image, a font) or stylesheets, whose names the graph the last build left
// beside the record (graphPath) holds: it makes again only what such a
// change reaches, instead of walking, scanning and making the whole
// project.
//
// Each changed file copied as it is is read and hashed; each changed
// stylesheet is read, scanned and (as a bundle's source) checked by
// esbuild, and each of its references must name what it named. Each file
// that refers to a changed one, and so on up, is read, scanned and
// rewritten with the new hashed names, and minified if [collect] minify
// says so. Each chunk of a stylesheet bundle with a changed source is
// joined and minified again; each other chunk of a bundle the change
// reaches has the new hashes filled in for its stand-ins (see standIns),
// which the graph holds. Every other output is the last build's, as the
// record has it. The result is what the full build would return, and is
// written the same way.
//
// Anything else the check finds takes the full build: a file added,
// removed or renamed (a directory whose entries changed: a directory's
// stat that changed with the same entries, a file replaced by a rename as
// editors save, is no change), a script, a template, a source map or a
// source of a bundle without chunks changed, a reference added, changed
// or made an @import, a @charset, a bundle with an @import, a change that
// reaches a file of a cycle, one with a source map or a bundle that
// cannot be filled in again, any problem in remaking a file, and an
// output not as the last build left it. TestPatchBuild holds each patch
// build's output to the full build's, and so does TestCacheRandomEdits.

// The kinds of a node of the patch graph.
const (
	patchPlain   = 'p' // copied as it is: its bytes alone make its output
	patchRewrite = 'r' // rewritten (and maybe minified), outside any cycle, without a map
	patchFixed   = 'f' // anything else: a change that reaches it takes a full build
)

// patchNode is a node of the last build's graph: a file of a root.
type patchNode struct {
	name    string
	root    int    // its root's index in the finder
	path    string // its path in the root
	kind    byte
	targets []int // by reference, the node it names; -1 for none
}

// patchBundle is a bundle of the last build.
type patchBundle struct {
	output  string
	targets []int // every node the bundle's stylesheets name
	// A minified stylesheet bundle's chunks, as a patch build fills them
	// in again or makes them anew; none for a bundle whose output cannot
	// be (a script bundle, one with a source map, one whose stand-ins
	// could not all be used).
	chunks []patchChunk
	// With chunks: the sources in order, each chunk's a run of them; the
	// source whose @charset heads the bundle, or -1; and whether any
	// source has an @import, whose order the full build checks.
	sources []patchSource
	charset int
	imports bool
}

// patchChunk is a chunk of a minified stylesheet bundle (see
// stylesheetChunks).
type patchChunk struct {
	text    string // esbuild's output, with stand-ins for the targets' hashes
	targets []int  // the node of each stand-in, in order
	end     int    // the index after its last source
}

// patchSource is a source of a stylesheet bundle: a node, or a file of a
// root that is none (not collected), with the node each of its
// references names.
type patchSource struct {
	node    int // -1 for none
	name    string
	root    int
	path    string
	targets []int // when node is -1
}

// patchGraph is what a patch build needs of the last build.
type patchGraph struct {
	nodes   []patchNode
	bundles []patchBundle
	// Paths whose change takes a full build although a node may be their
	// file too: the sources of the bundles without chunks, the templates.
	guarded  []string
	listings map[string][sha256.Size]byte // see recorder.listings
}

// patchGraphOf encodes the graph of a build for its record; "" when no
// patch build can start from it (a file the build made, an entry bundle).
func (p *Project) patchGraphOf(g *graph, built []*builtBundle) string {
	if p.rec == nil || !p.disk {
		return ""
	}
	index := make(map[*node]int, len(g.nodes))
	for i, n := range g.nodes {
		if n.src == nil {
			return ""
		}
		index[n] = i
	}
	targetsOf := func(to []*node) []int {
		l := make([]int, len(to))
		for i, t := range to {
			l[i] = -1
			if t != nil {
				l[i] = index[t]
			}
		}
		return l
	}
	pg := &patchGraph{nodes: make([]patchNode, len(g.nodes))}
	for i, n := range g.nodes {
		kind := byte(patchFixed)
		switch {
		case n.smap != nil || n.mapOf != nil || n.comp.cyclic():
		case len(n.refs) == 0 && p.copiedAsIs(n.name) && path.Ext(n.name) != ".map":
			kind = patchPlain
		default:
			kind = patchRewrite
			for _, t := range n.to {
				if t != nil && t.mapOf != nil {
					kind = patchFixed
				}
			}
		}
		pg.nodes[i] = patchNode{name: n.name, root: n.src.file.Root, path: n.src.file.Path, kind: kind, targets: targetsOf(n.to)}
	}
	for _, b := range built {
		if b.plan.cfg.Entry.S != "" {
			return ""
		}
		pb := patchBundle{output: b.plan.cfg.Output.S, charset: -1}
		for _, src := range b.targets {
			if n := g.node(src); n != nil && !slices.Contains(pb.targets, index[n]) {
				pb.targets = append(pb.targets, index[n])
			}
		}
		if b.standOK && b.plan.typ == "css" {
			end := 0
			for k, run := range stylesheetChunks(b.plan.sources) {
				c := b.chunks[k]
				end += len(run)
				pb.chunks = append(pb.chunks, patchChunk{text: string(c.text), targets: targetsOf(c.nodes), end: end})
			}
			for k, src := range b.plan.sources {
				ps := patchSource{node: -1, name: src.file.Name, root: src.file.Root, path: src.file.Path}
				if n := g.node(src); n != nil && n.src == src {
					ps.node = index[n]
				} else {
					for _, r := range src.resolved {
						t := -1
						if r.target != nil {
							if n := g.node(r.target); n != nil {
								t = index[n]
							}
						}
						ps.targets = append(ps.targets, t)
					}
				}
				for _, r := range src.resolved {
					pb.imports = pb.imports || r.Import
				}
				if src.scan.CharsetEnd > 0 && pb.charset < 0 {
					pb.charset = k
				}
				pb.sources = append(pb.sources, ps)
			}
		} else {
			for _, src := range b.plan.sources {
				abs, ok := p.absPath(src)
				if !ok {
					return ""
				}
				pg.guarded = append(pg.guarded, abs)
			}
		}
		pg.bundles = append(pg.bundles, pb)
	}
	pg.guarded = append(pg.guarded, p.templateFiles...)
	p.rec.mu.Lock()
	pg.listings = maps.Clone(p.rec.listings)
	p.rec.mu.Unlock()
	return pg.encode()
}

// encode encodes g, as the record's other parts are (see recWriter).
func (g *patchGraph) encode() string {
	// Sized once: the chunks' texts are most of it (700 kB on the
	// 4,000-file site), and growing to them was 14 ms.
	size := 64 * (len(g.nodes) + len(g.listings))
	for _, b := range g.bundles {
		for _, c := range b.chunks {
			size += len(c.text) + 8*len(c.targets)
		}
		size += 64 * len(b.sources)
	}
	w := recWriter{b: make([]byte, 0, size)}
	ints := func(l []int) {
		w.uint(uint64(len(l)))
		for _, x := range l {
			w.uint(uint64(x + 1))
		}
	}
	w.uint(uint64(len(g.nodes)))
	for _, n := range g.nodes {
		w.str(n.name)
		w.uint(uint64(n.root))
		w.str(n.path)
		w.b = append(w.b, n.kind)
		ints(n.targets)
	}
	w.uint(uint64(len(g.bundles)))
	for _, b := range g.bundles {
		w.str(b.output)
		ints(b.targets)
		w.uint(uint64(len(b.chunks)))
		for _, c := range b.chunks {
			w.str(c.text)
			ints(c.targets)
			w.uint(uint64(c.end))
		}
		if len(b.chunks) == 0 {
			continue
		}
		w.uint(uint64(len(b.sources)))
		for _, s := range b.sources {
			w.uint(uint64(s.node + 1))
			w.str(s.name)
			w.uint(uint64(s.root))
			w.str(s.path)
			ints(s.targets)
		}
		w.uint(uint64(b.charset + 1))
		w.b = append(w.b, boolByte(b.imports))
	}
	w.strs(g.guarded)
	dirs := slices.Sorted(maps.Keys(g.listings))
	w.uint(uint64(len(dirs)))
	for _, d := range dirs {
		w.str(d)
		sum := g.listings[d]
		w.b = append(w.b, sum[:]...)
	}
	return string(w.b)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// decodePatchGraph reads what patchGraph.encode wrote; ok is false for a
// damaged graph, or one of other roots.
func (p *Project) decodePatchGraph(s string) (*patchGraph, bool) {
	r := &recReader{s: s}
	g := &patchGraph{listings: map[string][sha256.Size]byte{}}
	var nodes int
	// A node's index, or -1, as ints wrote it.
	ints := func() []int {
		l := make([]int, r.count())
		for i := range l {
			if l[i] = int(r.uint()) - 1; l[i] >= nodes {
				r.fail()
			}
		}
		return l
	}
	nodes = r.count()
	g.nodes = make([]patchNode, nodes)
	for i := range g.nodes {
		n := &g.nodes[i]
		n.name, n.root, n.path, n.kind = r.str(), int(r.uint()), r.str(), r.byte()
		n.targets = ints()
		if r.bad || n.root >= len(p.rootAbs) {
			return nil, false
		}
	}
	g.bundles = make([]patchBundle, r.count())
	for i := range g.bundles {
		b := &g.bundles[i]
		b.output = r.str()
		b.targets = ints()
		b.chunks = make([]patchChunk, r.count())
		for j := range b.chunks {
			c := &b.chunks[j]
			c.text = r.str()
			c.targets = ints()
			c.end = int(r.uint())
		}
		if len(b.chunks) == 0 {
			continue
		}
		b.sources = make([]patchSource, r.count())
		for j := range b.sources {
			src := &b.sources[j]
			src.node = int(r.uint()) - 1
			src.name, src.root, src.path = r.str(), int(r.uint()), r.str()
			src.targets = ints()
			if src.node >= nodes || src.root >= len(p.rootAbs) {
				return nil, false
			}
		}
		b.charset = int(r.uint()) - 1
		b.imports = r.byte() != 0
		last := 0
		for _, c := range b.chunks {
			if c.end <= last || c.end > len(b.sources) {
				return nil, false
			}
			last = c.end
		}
		if last != len(b.sources) || b.charset >= len(b.sources) {
			return nil, false
		}
	}
	g.guarded = r.strs()
	for range r.count() {
		d := r.str()
		if len(r.s) < sha256.Size {
			return nil, false
		}
		var sum [sha256.Size]byte
		copy(sum[:], r.s)
		g.listings[d] = sum
		r.s = r.s[sha256.Size:]
	}
	for _, b := range g.bundles {
		for _, c := range b.chunks {
			if slices.Contains(c.targets, -1) {
				return nil, false
			}
		}
		if slices.Contains(b.targets, -1) {
			return nil, false
		}
	}
	return g, !r.bad && len(r.s) == 0
}

// patchPlan is a patch build the record's check found possible.
type patchPlan struct {
	rec     *buildRecord
	graph   *patchGraph
	changed []int         // the plain nodes whose files changed
	edited  []editedSheet // the stylesheets that changed
	facts   []fact        // the record's inputs that hold, and the directories' now, by path
	sizes   int64         // the changed files' sizes as the record has them
}

// editedSheet is a stylesheet that changed: a node, or a bundle's source,
// or both.
type editedSheet struct {
	node int      // -1 for none
	uses [][2]int // the bundle and the source index of each bundle's use of it
}

// planPatch returns the patch build that makes what the record's check
// found changed, or nil when it takes the full build. The record's output
// is as it says; its inputs, found to hold where held says so.
func (p *Project) planPatch(rec *buildRecord, inputs []fact, held []bool) *patchPlan {
	data, err := p.readString(graphPath(p.outputDir))
	if err != nil || sha256.Sum256(stringBytes(data)) != rec.GraphSum {
		return nil
	}
	rec.Graph = data
	g, ok := p.decodePatchGraph(rec.Graph)
	if !ok {
		return nil
	}
	guarded := map[string]bool{}
	for _, s := range g.guarded {
		guarded[s] = true
	}
	plan := &patchPlan{rec: rec, graph: g}
	changed := changedFacts(inputs, held)
	// The facts of the next record, in the order of this one's: those
	// that hold, and the directories' now; a changed file's comes from
	// its read.
	plan.facts = make([]fact, 0, len(inputs))
	next := 0
	for i, f := range inputs {
		if next == len(changed) || changed[next] != i {
			if p.rec.aged(f) {
				// Its sum was checked just now, and it is older than the
				// racy window: its stat vouches for it from now on (see
				// unracy). Kept, the sums of a record written right after
				// a checkout had every patch build hash every file again.
				f.Sum, f.Content = 0, [sha256.Size]byte{}
			}
			plan.facts = append(plan.facts, f)
			continue
		}
		next++
		switch {
		case f.Kind == factAbsent:
			return nil
		case f.Mode&syscallIFMT == syscallIFDIR:
			listing, ok := g.listings[f.Path]
			if !ok {
				return nil
			}
			entries, err := os.ReadDir(f.Path)
			if err != nil || dirSum(entries) != listing {
				return nil
			}
			now, ok := takeFact(f.Path, f.Kind)
			if !ok || now.Mode != f.Mode {
				return nil
			}
			if p.rec.racy(now) {
				now.Sum, now.Content = sumDir, listing
			}
			plan.facts = append(plan.facts, now)
		case f.Mode&syscallIFMT == syscallIFREG:
			if guarded[f.Path] {
				return nil
			}
			n, isNode := g.nodeOf(p.rootAbs, f.Path)
			uses := g.sourcesAt(p.rootAbs, f.Path)
			switch {
			case isNode && g.nodes[n].kind == patchPlain && len(uses) == 0:
				if !slices.Contains(plan.changed, n) {
					plan.changed = append(plan.changed, n)
					plan.sizes += f.Size
				}
			case filepath.Ext(f.Path) == ".css" && (isNode && g.nodes[n].kind == patchRewrite || !isNode && len(uses) > 0):
				if !isNode {
					n = -1
				}
				if !slices.ContainsFunc(plan.edited, func(e editedSheet) bool { return e.node == n && slices.Equal(e.uses, uses) }) {
					plan.edited = append(plan.edited, editedSheet{node: n, uses: uses})
					plan.sizes += f.Size
				}
			default:
				return nil
			}
		default:
			return nil
		}
	}
	return plan
}

// nodeOf returns the node whose file is at path, given the roots'
// directories.
func (g *patchGraph) nodeOf(roots []string, file string) (int, bool) {
	for i, n := range g.nodes {
		if isRootFile(roots[n.root], n.path, file) {
			return i, true
		}
	}
	return 0, false
}

// sourcesAt returns the uses of the file at path as a source of a bundle
// with chunks: the bundle's index and the source's.
func (g *patchGraph) sourcesAt(roots []string, file string) [][2]int {
	var uses [][2]int
	for i, b := range g.bundles {
		for j, src := range b.sources {
			if isRootFile(roots[src.root], src.path, file) {
				uses = append(uses, [2]int{i, j})
			}
		}
	}
	return uses
}

// isRootFile reports whether file is the file at path (slash-separated)
// in the directory dir.
func isRootFile(dir, path, file string) bool {
	return len(file) == len(dir)+1+len(path) && strings.HasPrefix(file, dir) &&
		file[len(dir)] == filepath.Separator && filepath.ToSlash(file[len(dir)+1:]) == path
}

// changedFacts returns the indexes of the facts that do not hold: those
// the record's check, which stat'ed every one (see sameCheck.complete),
// did not mark in held, and those with a sum whose path holds something
// else now.
func changedFacts(facts []fact, held []bool) []int {
	var out []int
	for i, f := range facts {
		holds := held[i]
		if holds && f.Sum != 0 {
			sum, ok := f.sumNow()
			holds = ok && sum == f.Content
		}
		if !holds {
			out = append(out, i)
		}
	}
	return out
}

// takeFact stats path now, as kind says.
func takeFact(path string, kind byte) (fact, bool) {
	if kind == factLstat {
		fi, err := os.Lstat(path)
		return factOf(path, factLstat, fi, err)
	}
	fi, err := os.Stat(path)
	return factOf(path, factStat, fi, err)
}

// errNoPatch is what applyPatch returns when the change takes the full
// build after all.
var errNoPatch = errors.New("bundler: the change takes a full build")

// patcher is a patch build under way.
type patcher struct {
	p    *Project
	g    *patchGraph
	srcs *sourceSet

	entries map[string]manifest.Entry // the last build's manifest
	nodes   []*node                   // by index, made when needed (nodeAt)
	index   map[*node]int
	broken  bool // a node the record's manifest does not name as the graph does

	users   [][]int // by node, the nodes that refer to it
	reached []bool  // the nodes the change reaches, made again
	edited  []bool  // the edited stylesheets that are nodes
	done    []bool  // the nodes made again, or being made
	changed map[string]bool

	grown map[*source]bool // the changed files read: their sizes make Stats.BytesIn's

	// warmed is closed once esbuild has parsed its runtime for the
	// chunks' minification (see applyPatch); nil with no chunk to make.
	warmed chan struct{}
}

// nodeAt returns the i-th node, as the last build made it until the
// patch build makes it again.
func (pt *patcher) nodeAt(i int) *node {
	if n := pt.nodes[i]; n != nil {
		return n
	}
	pn := pt.g.nodes[i]
	e, ok := pt.entries[pn.name]
	name, hash, split := manifest.SplitHashed(e.Path)
	pt.broken = pt.broken || !ok || !split || name != pn.name
	n := &node{name: pn.name, hash: hash, path: e.Path, integrity: e.Integrity, size: e.Size}
	pt.nodes[i], pt.index[n] = n, i
	return n
}

// sourceOf returns the source of the i-th node.
func (pt *patcher) sourceOf(i int) *source {
	pn := pt.g.nodes[i]
	return pt.srcs.get(finders.File{Name: pn.name, Root: pn.root, Path: pn.path})
}

// bundleSource returns a bundle's source ps, and the nodes its references
// name.
func (pt *patcher) bundleSource(ps patchSource) (*source, []int) {
	if ps.node >= 0 {
		return pt.sourceOf(ps.node), pt.g.nodes[ps.node].targets
	}
	return pt.srcs.get(finders.File{Name: ps.name, Root: ps.root, Path: ps.path}), ps.targets
}

// reach marks node i and the nodes that refer to it, and so on up, as
// reached; false when one of them is not one a patch build can make.
func (pt *patcher) reach(i int) bool {
	if pt.reached[i] {
		return true
	}
	pt.reached[i] = true
	for _, u := range pt.users[i] {
		if pt.g.nodes[u].kind != patchRewrite || !pt.reach(u) {
			return false
		}
	}
	return true
}

// resolve gives src the references of its scan, each to the node it named
// in the last build, which targets lists: the file is as that build read
// it, and so are the roots' listings, or it is an edited one, whose
// references must name what they named. An edited one's reference that
// names no node must not be one to a file of the roots, nor an @import.
func (pt *patcher) resolve(src *source, targets []int, edited bool) error {
	if src.resolved != nil {
		return nil // as a node, and as a bundle's source
	}
	refs := src.scan.Refs
	if len(refs) != len(targets) {
		return errNoPatch
	}
	list := make([]resolved, len(refs))
	for j, r := range refs {
		list[j] = resolved{Ref: r}
		if edited && r.Import {
			return errNoPatch // the order of @imports: the full build's to check
		}
		name, suffix, local := localTarget(r.URL, path.Dir(src.file.Name), pt.p.cfg.URL)
		t := targets[j]
		if t < 0 {
			if local && edited {
				return errNoPatch
			}
			continue
		}
		if !local || name != pt.g.nodes[t].name {
			return errNoPatch
		}
		list[j].suffix = suffix
		list[j].target = &source{file: finders.File{Name: name}}
	}
	src.resolved = list
	return nil
}

// remake makes node i again, after every node it refers to that the
// change reaches: none is in a cycle.
func (pt *patcher) remake(i int) error {
	if pt.done[i] {
		return nil
	}
	pt.done[i] = true
	pn := pt.g.nodes[i]
	for _, t := range pn.targets {
		if t >= 0 && pt.reached[t] {
			if err := pt.remake(t); err != nil {
				return err
			}
		}
	}
	src, err := pt.srcs.scanned(pt.sourceOf(i))
	if err != nil {
		return err
	}
	if pt.edited[i] {
		pt.grown[src] = true
	}
	if err := pt.resolve(src, pn.targets, pt.edited[i]); err != nil {
		return err
	}
	n := pt.nodeAt(i)
	n.src, n.refs = src, src.resolved
	n.to = make([]*node, len(pn.targets))
	for j, t := range pn.targets {
		if t >= 0 {
			n.to[j] = pt.nodeAt(t)
		}
	}
	data, edits := n.rewrite()
	data, diags := pt.p.minifyNode(n, data, edits)
	if len(diags) > 0 {
		return errNoPatch // the full build reports them
	}
	n.data, n.hash, n.integrity = data, manifest.ContentHash(data), manifest.Integrity(data)
	n.path = manifest.HashedPath(n.name, n.hash)
	pt.changed[n.name] = true
	return nil
}

// applyPatch makes the result of a patch build, or returns errNoPatch.
func (p *Project) applyPatch(ctx context.Context, plan *patchPlan) (*Result, error) {
	g, rec := plan.graph, plan.rec
	pt := &patcher{
		p: p, g: g, srcs: newSourceSet(p),
		// What the record holds of the last build's result stands for
		// every node and bundle the change does not reach.
		entries: rec.Manifest.Files,
		nodes:   make([]*node, len(g.nodes)),
		index:   map[*node]int{},
		users:   make([][]int, len(g.nodes)),
		reached: make([]bool, len(g.nodes)),
		edited:  make([]bool, len(g.nodes)),
		done:    make([]bool, len(g.nodes)),
		changed: map[string]bool{},
		grown:   map[*source]bool{},
	}
	defer pt.srcs.close()
	// What the change reaches: the nodes that refer to a changed one, and
	// so on up, and the bundles that refer to any of them or have an
	// edited source.
	for i, pn := range g.nodes {
		for _, t := range pn.targets {
			if t >= 0 && !slices.Contains(pt.users[t], i) {
				pt.users[t] = append(pt.users[t], i)
			}
		}
	}
	for _, i := range plan.changed {
		if !pt.reach(i) {
			return nil, errNoPatch
		}
	}
	dirty := map[int]map[int]bool{} // by bundle, the chunks with an edited source
	editedSource := map[[2]int]bool{}
	for _, e := range plan.edited {
		if e.node >= 0 {
			pt.edited[e.node] = true
			if !pt.reach(e.node) {
				return nil, errNoPatch
			}
		}
		for _, u := range e.uses {
			b := g.bundles[u[0]]
			if b.imports || b.charset == u[1] {
				return nil, errNoPatch // the order checks and the @charset: the full build's
			}
			if dirty[u[0]] == nil {
				dirty[u[0]] = map[int]bool{}
			}
			dirty[u[0]][b.chunkOf(u[1])] = true
			editedSource[u] = true
		}
	}
	// esbuild parses its runtime once a process for each set of options,
	// first thing in a transform (7 ms, even for a stylesheet): for the
	// minification of the chunks, while the edited stylesheets are read
	// and checked, whose check parses it for its own options.
	if len(dirty) > 0 {
		warmed := make(chan struct{})
		go func() {
			defer close(warmed)
			transformMap(nil, "", api.LoaderCSS, true, false)
		}()
		pt.warmed = warmed
		defer func() { <-warmed }()
	}
	var bundles []int
	for i, b := range g.bundles {
		if dirty[i] != nil || slices.ContainsFunc(b.targets, func(t int) bool { return pt.reached[t] }) {
			if len(b.chunks) == 0 {
				return nil, errNoPatch
			}
			bundles = append(bundles, i)
		}
	}

	for _, i := range plan.changed {
		n := pt.nodeAt(i)
		src := pt.sourceOf(i)
		data, err := pt.srcs.read(src)
		if err != nil {
			return nil, err
		}
		pt.grown[src] = true
		n.data, n.hash, n.integrity = data, manifest.ContentHash(data), manifest.Integrity(data)
		n.path = manifest.HashedPath(n.name, n.hash)
		pt.changed[n.name] = true
		pt.done[i] = true
	}
	for i := range g.nodes {
		if pt.reached[i] {
			if err := pt.remake(i); err != nil {
				return nil, err
			}
		}
	}
	made := map[string][]byte{}
	for _, i := range bundles {
		b := &g.bundles[i]
		out, err := pt.bundle(b, i, dirty[i], editedSource)
		if err != nil {
			return nil, err
		}
		made[b.output] = out
	}
	for _, n := range pt.nodes {
		if n != nil && pt.changed[n.name] {
			made[n.name] = n.data
		}
	}
	if pt.broken {
		return nil, errNoPatch
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The record's outputs and manifest, which nothing else holds,
	// become the result's, changed where the outputs are (a copy of the
	// 20,000-file site's entries was 21 ms); the writer takes the paths
	// in place from those they had (see prevPaths), and the siblings of
	// an unchanged output from its entry.
	res := &Result{Stats: rec.Stats, Outputs: rec.outputs}
	rec.paths = rec.Manifest.Paths()
	files := pt.entries
	dir := p.outputDir
	for i := range res.Outputs {
		o := &res.Outputs[i]
		data, ok := made[o.Name]
		if !ok {
			name := o.Path
			o.load = func() ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))) }
			continue
		}
		p.patchEdited = append(p.patchEdited, o.Name)
		o.Data, o.size = data, int64(len(data))
		o.Path = manifest.HashedPath(o.Name, manifest.ContentHash(data))
		o.integrity = manifest.Integrity(data)
		e := files[o.Name]
		if e.Path != o.Path {
			// Another file, whose siblings compress makes; the same
			// (a comment minified away) keeps its own, which the
			// writer takes from this entry.
			e.Encodings = nil
		}
		e.Path, e.Size, e.Integrity = o.Path, o.Size(), o.integrity
		files[o.Name] = e
	}
	res.Manifest = &manifest.Manifest{Version: rec.Manifest.Version, Prefix: rec.Manifest.Prefix, Files: files}
	for _, u := range rec.Unused {
		if data, ok := made[u.Name]; ok {
			u.Size = int64(len(data))
		}
		res.Unused = append(res.Unused, u)
	}
	st := &res.Stats
	st.Cached = st.Sources - len(pt.srcs.all()) // the files read, each once
	st.BytesIn -= plan.sizes
	for src := range pt.grown {
		st.BytesIn += int64(len(src.data))
	}
	st.BytesOut = 0
	for _, o := range res.Outputs {
		st.BytesOut += o.Size()
	}
	st.Written, st.Unchanged, st.Compressed = 0, 0, 0
	// The facts that held, and the directories' as they are now, join
	// those of what was read (see saveRecord); the graph is the last
	// build's, with the chunks made anew.
	p.patchFacts = plan.facts
	p.graphOut, p.patchedGraph = rec.Graph, rec.GraphSum
	if len(dirty) > 0 {
		p.graphOut, p.patchedGraph = g.encode(), [sha256.Size]byte{}
	}
	return res, nil
}

// chunkOf returns the index of the chunk that holds the bundle's k-th
// source.
func (b *patchBundle) chunkOf(k int) int {
	for i, c := range b.chunks {
		if k < c.end {
			return i
		}
	}
	return len(b.chunks) - 1
}

// bundle makes the output of the bi-th bundle, b, again: each chunk with
// an edited source (dirty) joined and minified anew as the full build
// does, its text in the graph replaced, and every other chunk's text
// filled in with the hashes of its targets now.
func (pt *patcher) bundle(b *patchBundle, bi int, dirty map[int]bool, edited map[[2]int]bool) ([]byte, error) {
	var cfg *bundleConfig
	for _, c := range pt.p.cfg.Bundles {
		if c.Output.S == b.output {
			cfg = c
		}
	}
	if cfg == nil {
		return nil, errNoPatch
	}
	// Sized once: grown by appends, the 460 kB bundle of the 4,000-file
	// site was three copies of itself.
	size := 0
	for _, c := range b.chunks {
		size += len(c.text) + 16*len(c.targets) + 1
	}
	out := make([]byte, 0, size)
	start := 0
	for k := range b.chunks {
		c := &b.chunks[k]
		at := len(out)
		if dirty[k] {
			var head []byte
			if k == 0 && b.charset >= 0 {
				src, _ := pt.bundleSource(b.sources[b.charset])
				if _, err := pt.srcs.scanned(src); err != nil {
					return nil, err
				}
				head = append(slices.Clone(src.data[:src.scan.CharsetEnd]), '\n')
			}
			// From a graph of the nodes its sources name.
			g := &graph{byName: map[string]*node{}}
			var run []*source
			for j := start; j < c.end; j++ {
				src, targets := pt.bundleSource(b.sources[j])
				if _, err := pt.srcs.scanned(src); err != nil {
					return nil, err
				}
				isEdited := edited[[2]int{bi, j}]
				if isEdited {
					pt.grown[src] = true
					if src.scan.CharsetEnd > 0 {
						return nil, errNoPatch // a new @charset may head the bundle
					}
					if diags, err := pt.srcs.checkStylesheet(src); err != nil || len(diags) > 0 {
						return nil, errNoPatch // the full build reports them
					}
				}
				if err := pt.resolve(src, targets, isEdited); err != nil {
					return nil, err
				}
				for _, t := range targets {
					if t >= 0 {
						n := pt.nodeAt(t)
						g.byName[n.name] = n
					}
				}
				run = append(run, src)
			}
			bp := &bundlePlan{cfg: cfg, typ: "css", sources: run}
			if pt.warmed != nil {
				<-pt.warmed // its parse of the runtime done, not done twice
			}
			m := pt.p.minifyChunk(bp, k, run, head, path.Dir(cfg.Output.S), g, false)
			if len(m.diags) > 0 || !m.standOK {
				return nil, errNoPatch
			}
			c.text, c.targets = string(m.standText), nil
			for _, n := range m.standNodes {
				c.targets = append(c.targets, pt.index[n])
			}
			out = append(out, m.out...)
		} else {
			stand := &standIns{}
			for _, t := range c.targets {
				stand.nodes = append(stand.nodes, pt.nodeAt(t))
			}
			var ok bool
			if out, ok = stand.fill(out, c.text); !ok {
				return nil, errNoPatch
			}
		}
		if k < len(b.chunks)-1 && len(out) > at && out[len(out)-1] != '\n' {
			out = append(out, '\n') // as joinStylesheets puts the next chunk
		}
		start = c.end
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return nil, errNoPatch // the full build reports an empty bundle
	}
	return out, nil
}
