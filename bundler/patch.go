package bundler

import (
	"context"
	"crypto/sha256"
	"errors"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/errgroup"
)

// A patch build is what a build does when its record (see recordFormat)
// shows that the only files that changed are files copied as they are (an
// image, a font) whose names the graph already holds: it makes again only
// what such a change reaches, from the graph the last build left in the
// record, instead of walking, scanning and making the whole project.
//
// Each changed file is read and hashed; each file that refers to it, and
// so on up, is read, scanned and rewritten with the new hashed names, and
// minified if [collect] minify says so; each stylesheet bundle that
// refers to one of them has the new hashes filled in for the stand-ins
// of its minified text (see standIns), which the record holds. Every other
// output is the last build's, as the record has it. The result is what the
// full build would return, and is written the same way.
//
// Anything else the check finds takes the full build: a file added,
// removed or renamed (a directory whose entries changed: a directory's
// stat that changed with the same entries, a file replaced by a rename as
// editors save, is no change), a stylesheet or script changed, a bundle's
// source or a template changed, a change that reaches a file of a cycle,
// one with a source map or a bundle that cannot be filled in again, a
// file a stylesheet's rewriting would now name differently, any problem
// in remaking a file, and an output not as the last build left it.
// TestPatchBuild holds each patch build's output to the full build's.

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

// patchBundle is a stylesheet bundle that refers to nodes.
type patchBundle struct {
	output  string
	targets []int // every node the bundle's stylesheets name
	// Its chunks, minified, as a patch build fills them in again; none
	// for a bundle whose output cannot be.
	chunks []patchChunk
}

// patchChunk is a chunk of a minified stylesheet bundle (see
// stylesheetChunks).
type patchChunk struct {
	text    string // esbuild's output, with stand-ins for the targets' hashes
	targets []int  // the node of each stand-in, in order
}

// patchGraph is what a patch build needs of the last build.
type patchGraph struct {
	nodes   []patchNode
	bundles []patchBundle
	// Paths whose change takes a full build although a node may be their
	// file too: the bundles' sources, the templates.
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
	var w recWriter
	w.uint(uint64(len(g.nodes)))
	for _, n := range g.nodes {
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
		w.str(n.name)
		w.uint(uint64(n.src.file.Root))
		w.str(n.src.file.Path)
		w.b = append(w.b, kind)
		w.uint(uint64(len(n.to)))
		for _, t := range n.to {
			if t == nil {
				w.uint(0)
			} else {
				w.uint(uint64(index[t]) + 1)
			}
		}
	}
	var guarded []string
	w.uint(uint64(len(built)))
	for _, b := range built {
		if b.plan.cfg.Entry.S != "" {
			return ""
		}
		for _, src := range b.plan.sources {
			abs, ok := p.absPath(src)
			if !ok {
				return ""
			}
			guarded = append(guarded, abs)
		}
		w.str(b.plan.cfg.Output.S)
		var targets []int
		for _, src := range b.targets {
			if n := g.node(src); n != nil && !slices.Contains(targets, index[n]) {
				targets = append(targets, index[n])
			}
		}
		w.uint(uint64(len(targets)))
		for _, t := range targets {
			w.uint(uint64(t))
		}
		if !b.standOK {
			w.uint(0)
			continue
		}
		w.uint(uint64(len(b.chunks)))
		for _, c := range b.chunks {
			w.str(string(c.text))
			w.uint(uint64(len(c.nodes)))
			for _, t := range c.nodes {
				w.uint(uint64(index[t]))
			}
		}
	}
	guarded = append(guarded, p.templateFiles...)
	w.strs(guarded)
	p.rec.mu.Lock()
	listings := maps.Clone(p.rec.listings)
	p.rec.mu.Unlock()
	dirs := slices.Sorted(maps.Keys(listings))
	w.uint(uint64(len(dirs)))
	for _, d := range dirs {
		w.str(d)
		sum := listings[d]
		w.b = append(w.b, sum[:]...)
	}
	return string(w.b)
}

// decodePatchGraph reads what patchGraphOf wrote; ok is false for a
// record without one, or a damaged one.
func (p *Project) decodePatchGraph(s string) (*patchGraph, bool) {
	if s == "" {
		return nil, false
	}
	r := &recReader{s: s}
	g := &patchGraph{listings: map[string][sha256.Size]byte{}}
	index := func(n int) int {
		i := int(r.uint())
		if i >= n {
			r.fail()
		}
		return i
	}
	g.nodes = make([]patchNode, r.count())
	for i := range g.nodes {
		n := &g.nodes[i]
		n.name, n.root, n.path, n.kind = r.str(), int(r.uint()), r.str(), r.byte()
		n.targets = make([]int, r.count())
		for j := range n.targets {
			n.targets[j] = index(len(g.nodes)+1) - 1
		}
		if r.bad || n.root >= len(p.rootAbs) {
			return nil, false
		}
	}
	g.bundles = make([]patchBundle, r.count())
	for i := range g.bundles {
		b := &g.bundles[i]
		b.output = r.str()
		b.targets = make([]int, r.count())
		for j := range b.targets {
			b.targets[j] = index(len(g.nodes))
		}
		b.chunks = make([]patchChunk, r.count())
		for j := range b.chunks {
			c := &b.chunks[j]
			c.text = r.str()
			c.targets = make([]int, r.count())
			for k := range c.targets {
				c.targets[k] = index(len(g.nodes))
			}
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
	return g, !r.bad && len(r.s) == 0
}

// patchPlan is a patch build the record's check found possible.
type patchPlan struct {
	rec     *buildRecord
	graph   *patchGraph
	changed []int  // the nodes whose files changed
	facts   []fact // the record's inputs that hold, and the directories' now, by path
}

// planPatch returns the patch build that makes what the record's check
// found changed, or nil when it takes the full build. The record's output
// is as it says; its inputs, found to hold where held says so.
func (p *Project) planPatch(rec *buildRecord, inputs []fact, held []bool) *patchPlan {
	data, err := os.ReadFile(graphPath(p.outputDir))
	if err != nil || sha256.Sum256(data) != rec.GraphSum {
		return nil
	}
	rec.Graph = string(data)
	g, ok := p.decodePatchGraph(rec.Graph)
	if !ok {
		return nil
	}
	guarded := map[string]bool{}
	for _, s := range g.guarded {
		guarded[s] = true
	}
	plan := &patchPlan{rec: rec, graph: g}
	changed := p.changedFacts(inputs, held)
	// The facts of the next record, in the order of this one's: those
	// that hold, and the directories' now; a changed file's comes from
	// its read.
	plan.facts = make([]fact, 0, len(inputs))
	next := 0
	for i, f := range inputs {
		if next == len(changed) || changed[next] != i {
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
			n, ok := g.nodeOf(p.rootAbs, f.Path)
			if !ok || g.nodes[n].kind != patchPlain || guarded[f.Path] {
				return nil
			}
			if !slices.Contains(plan.changed, n) {
				plan.changed = append(plan.changed, n)
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
		dir := roots[n.root]
		if len(file) == len(dir)+1+len(n.path) && strings.HasPrefix(file, dir) &&
			file[len(dir)] == filepath.Separator && filepath.ToSlash(file[len(dir)+1:]) == n.path {
			return i, true
		}
	}
	return 0, false
}

// changedFacts returns the indexes of the facts that do not hold: those
// not marked in held, stat'ed again, in parallel, and those with a sum
// whose path holds something else now.
func (p *Project) changedFacts(facts []fact, held []bool) []int {
	var todo []int
	for i := range facts {
		if !held[i] {
			todo = append(todo, i)
		}
	}
	again := make([]bool, len(facts))
	var eg errgroup.Group
	const part = 256
	for k := 0; k < len(todo); k += part {
		idx := todo[k:min(k+part, len(todo))]
		eg.Go(func() error {
			list := make([]fact, len(idx))
			ok := make([]bool, len(idx))
			for j, i := range idx {
				list[j] = facts[i]
			}
			sameFacts(list, ok, true)
			for j, i := range idx {
				again[i] = ok[j]
			}
			return nil
		})
	}
	eg.Wait()
	var out []int
	for i, f := range facts {
		holds := held[i] || again[i]
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

// applyPatch makes the result of a patch build, or returns errNoPatch.
func (p *Project) applyPatch(ctx context.Context, plan *patchPlan) (*Result, error) {
	g, rec := plan.graph, plan.rec
	// What the record holds of the last build's result stands for every
	// node and bundle the change does not reach.
	entries := rec.Manifest.Files
	// A node of the graph is made when it is needed: those the change
	// reaches and those they name.
	nodes := make([]*node, len(g.nodes))
	broken := false // a node the record's manifest does not name as the graph does
	nodeAt := func(i int) *node {
		if n := nodes[i]; n != nil {
			return n
		}
		pn := g.nodes[i]
		e, ok := entries[pn.name]
		name, hash, split := manifest.SplitHashed(e.Path)
		broken = broken || !ok || !split || name != pn.name
		n := &node{name: pn.name, hash: hash, path: e.Path, integrity: e.Integrity, size: e.Size}
		nodes[i] = n
		return n
	}
	// What the change reaches: the nodes that refer to a changed one, and
	// so on up, and the bundles that refer to any of them.
	users := make([][]int, len(g.nodes))
	for i, pn := range g.nodes {
		for _, t := range pn.targets {
			if t >= 0 && !slices.Contains(users[t], i) {
				users[t] = append(users[t], i)
			}
		}
	}
	reached := make([]bool, len(g.nodes))
	var reach func(i int) bool
	reach = func(i int) bool {
		if reached[i] {
			return true
		}
		reached[i] = true
		for _, u := range users[i] {
			if g.nodes[u].kind != patchRewrite || !reach(u) {
				return false
			}
		}
		return true
	}
	for _, i := range plan.changed {
		if !reach(i) {
			return nil, errNoPatch
		}
	}
	var bundles []int
	for i, b := range g.bundles {
		if slices.ContainsFunc(b.targets, func(t int) bool { return reached[t] }) {
			if len(b.chunks) == 0 {
				return nil, errNoPatch
			}
			bundles = append(bundles, i)
		}
	}

	srcs := newSourceSet(p)
	defer srcs.close()
	sourceOf := func(i int) *source {
		pn := g.nodes[i]
		return srcs.get(finders.File{Name: pn.name, Root: pn.root, Path: pn.path})
	}
	read := 0
	var bytesIn int64
	changed := map[string]bool{}
	for _, i := range plan.changed {
		n := nodeAt(i)
		data, err := srcs.read(sourceOf(i))
		if err != nil {
			return nil, err
		}
		read++
		bytesIn += int64(len(data)) - n.size
		n.data, n.hash, n.integrity = data, manifest.ContentHash(data), manifest.Integrity(data)
		n.path = manifest.HashedPath(n.name, n.hash)
		changed[n.name] = true
	}
	// Each node the change reaches after every node it refers to that the
	// change reaches: none is in a cycle.
	done := make([]bool, len(g.nodes))
	for _, i := range plan.changed {
		done[i] = true
	}
	var remake func(i int) error
	remake = func(i int) error {
		if done[i] {
			return nil
		}
		done[i] = true
		pn := g.nodes[i]
		for _, t := range pn.targets {
			if t >= 0 && reached[t] {
				if err := remake(t); err != nil {
					return err
				}
			}
		}
		src, err := srcs.scanned(sourceOf(i))
		if err != nil {
			return err
		}
		read++
		refs := src.scan.Refs
		if len(refs) != len(pn.targets) {
			return errNoPatch
		}
		n := nodeAt(i)
		n.src = src
		n.refs = make([]resolved, len(refs))
		n.to = make([]*node, len(refs))
		for j, r := range refs {
			n.refs[j] = resolved{Ref: r}
			t := pn.targets[j]
			if t < 0 {
				continue
			}
			// The file is as the last build read it, and so are the
			// roots' listings: the reference names what it named then.
			name, suffix, local := localTarget(r.URL, path.Dir(pn.name), p.cfg.URL)
			if !local || name != g.nodes[t].name {
				return errNoPatch
			}
			n.refs[j].suffix = suffix
			n.to[j] = nodeAt(t)
		}
		data, edits := n.rewrite()
		data, diags := p.minifyNode(n, data, edits)
		if len(diags) > 0 {
			return errNoPatch // the full build reports them
		}
		n.data, n.hash, n.integrity = data, manifest.ContentHash(data), manifest.Integrity(data)
		n.path = manifest.HashedPath(n.name, n.hash)
		changed[n.name] = true
		return nil
	}
	for i := range g.nodes {
		if reached[i] {
			if err := remake(i); err != nil {
				return nil, err
			}
		}
	}
	made := map[string][]byte{}
	for _, i := range bundles {
		b := g.bundles[i]
		var out []byte
		for k, c := range b.chunks {
			stand := &standIns{}
			for _, t := range c.targets {
				stand.nodes = append(stand.nodes, nodeAt(t))
			}
			text, ok := stand.fill([]byte(c.text))
			if !ok {
				return nil, errNoPatch
			}
			if k < len(b.chunks)-1 && len(text) > 0 && text[len(text)-1] != '\n' {
				text = append(text, '\n') // as joinStylesheets puts the next chunk
			}
			out = append(out, text...)
		}
		made[b.output] = out
	}
	for _, n := range nodes {
		if n != nil && changed[n.name] {
			made[n.name] = n.data
		}
	}
	if broken {
		return nil, errNoPatch
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// The record's outputs, which nothing else holds, become the
	// result's; its manifest stays as it was, for the writer (the paths
	// in place, the siblings of each unchanged output).
	res := &Result{Stats: rec.Stats, Outputs: rec.outputs}
	files := maps.Clone(entries)
	dir := p.outputDir
	for i := range res.Outputs {
		o := &res.Outputs[i]
		data, ok := made[o.Name]
		if !ok {
			name := o.Path
			o.load = func() ([]byte, error) { return os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))) }
			continue
		}
		o.Data, o.size = data, int64(len(data))
		o.Path = manifest.HashedPath(o.Name, manifest.ContentHash(data))
		o.integrity = manifest.Integrity(data)
		e := files[o.Name]
		e.Path, e.Size, e.Integrity, e.Encodings = o.Path, o.Size(), o.integrity, nil
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
	st.Cached = st.Sources - read
	st.BytesIn += bytesIn
	st.BytesOut = 0
	for _, o := range res.Outputs {
		st.BytesOut += o.Size()
	}
	st.Written, st.Unchanged, st.Compressed = 0, 0, 0
	// The facts that held, and the directories' as they are now, join
	// those of what was read (see saveRecord).
	p.patchFacts = plan.facts
	p.graphOut, p.patchedGraph = rec.Graph, rec.GraphSum
	return res, nil
}
