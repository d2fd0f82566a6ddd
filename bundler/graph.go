package bundler

import (
	"bytes"
	"context"
	"encoding/binary"
	"path"
	"runtime"
	"slices"
	"strings"

	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/errgroup"
)

// A node is a file that the build writes under a hashed name of its own: a
// file of a root, collected or referenced by a bundle's stylesheet, or one
// an entry bundle made (an esbuild output, or its map). Its
// references to other nodes are rewritten to their hashed names, so its
// own hash is taken over the rewritten bytes, and the graph of who refers
// to whom decides the order nodes are made in.
type node struct {
	name      string     // its logical name
	src       *source    // the root's file it is; nil for a made one
	made      *madeFile  // what the build made; nil for a root's file
	refs      []resolved // every reference; those with a target are rewritten
	to        []*node    // the node each reference names, by index into refs; nil for none
	deps      []*node    // the nodes it refers to, each once, in order
	collected bool       // collected, rather than only referenced by a bundle

	// Tarjan's strongly connected components.
	index, low int
	onStack    bool
	comp       *component

	hash string // the hash in its name
	path string // its hashed name
	data []byte // its final bytes; nil for a file the build cache showed unchanged

	integrity string // known early for a file copied as it is (see the build cache)
	size      int64  // its length, when data is nil

	// A file that [collect] minify changes gets a map of what it becomes
	// (see planMaps); a map file of the roots that such a file links is
	// remade by it (mapOf), not on its own.
	smap  *nodeMap
	mapOf *node
}

// nodeMap is the source map of a file that [collect] minify changes.
type nodeMap struct {
	link   *resolved      // the file's sourceMappingURL comment, if any
	file   *node          // the map file of the roots that link names
	inline *sourcemap.Map // the map that link holds as a data: URL
	out    *Output        // when not file: the map made, named the file's name plus ".map"

	// When file: what the file's minifying made of it, which the graph
	// gives file once every node is made.
	remade     []byte
	remadeHash string
}

// A component is a set of nodes that refer to each other, in a cycle, or
// a single node. The nodes of a cycle share one hash, computed over all of
// them, since none can be named before the others.
type component struct {
	nodes []*node // sorted by name
	level int     // 0 for nodes that refer to no node; else 1 + the deepest dependency's
}

// graph is every node of a build, sorted by name.
type graph struct {
	nodes  []*node
	byName map[string]*node
	comps  [][]*component // by level
	read   func(*source) error
}

// buildGraph makes nodes of the given sources and of every file they refer
// to, transitively, reading and scanning each file once, in parallel,
// round by round; a file copied as it is, which refers to nothing, is
// read only when it is made (graph.make). Problems with references are
// added to diags.
func (p *Project) buildGraph(ctx context.Context, initial []*source, made []*madeFile, collected map[*source]bool, srcs *sourceSet, diags *ErrorList) (*graph, error) {
	g := &graph{byName: map[string]*node{}, read: func(src *source) error {
		_, err := srcs.read(src)
		return err
	}}
	var frontier []*node
	add := func(name string, src *source, m *madeFile) *node {
		n, ok := g.byName[name]
		if !ok {
			n = &node{name: name, src: src, made: m, index: -1, collected: src != nil && collected[src]}
			g.byName[name] = n
			g.nodes = append(g.nodes, n)
			frontier = append(frontier, n)
		}
		return n
	}
	for _, src := range initial {
		add(src.file.Name, src, nil)
	}
	for _, m := range made {
		add(m.name, nil, m)
	}
	for len(frontier) > 0 {
		round := frontier
		frontier = nil
		eg, ctx := errgroup.WithContext(ctx)
		eg.SetLimit(2 * runtime.GOMAXPROCS(0)) // reading as much as scanning
		for _, n := range round {
			eg.Go(func() error {
				if err := ctx.Err(); err != nil {
					return err
				}
				if n.made != nil {
					n.refs = n.made.refs
					return nil
				}
				if srcs.probe(n.src); n.src.hit != nil {
					return nil // unchanged, copied as it is: no references
				}
				if p.copiedAsIs(n.name) && path.Ext(n.name) != ".map" {
					// No references: read when it is made, so that the
					// build need not hold every file's bytes at once
					// (see spill). A map file is read now: the file it
					// maps may need it first.
					return nil
				}
				var err error
				n.refs, err = srcs.references(n.src)
				return err
			})
		}
		if err := eg.Wait(); err != nil {
			return nil, err
		}
		for _, n := range round {
			n.to = make([]*node, len(n.refs))
			for i, r := range n.refs {
				if r.diag != nil {
					diags.add(r.diag)
				}
				var t *node
				switch {
				case r.target != nil:
					t = add(r.target.file.Name, r.target, nil)
				case r.made != nil:
					t = add(r.made.name, nil, r.made)
				default:
					continue
				}
				n.to[i] = t
				if !slices.Contains(n.deps, t) {
					n.deps = append(n.deps, t)
				}
			}
		}
	}
	slices.SortFunc(g.nodes, func(a, b *node) int { return strings.Compare(a.name, b.name) })
	g.components()
	return g, nil
}

// input returns the bytes a node is made from: its file's, or what the
// build made.
func (n *node) input() []byte {
	if n.made != nil {
		return n.made.data
	}
	return n.src.data
}

// length returns the length of the node's final bytes.
func (n *node) length() int64 {
	if n.data == nil {
		return n.size
	}
	return int64(len(n.data))
}

// display returns how messages name a node's file.
func (n *node) display() string {
	if n.made != nil {
		return n.made.name
	}
	return n.src.display
}

// node returns the node of a source, or nil when it is none.
func (g *graph) node(src *source) *node { return g.byName[src.file.Name] }

// components finds the strongly connected components with Tarjan's
// algorithm, which emits each after every component it depends on, and
// groups them by level: the components of one level depend only on those
// of lower levels, so they can be made in parallel.
func (g *graph) components() {
	index := 0
	var stack []*node
	var strong func(n *node)
	strong = func(n *node) {
		n.index, n.low = index, index
		index++
		stack = append(stack, n)
		n.onStack = true
		for _, d := range n.deps {
			if d.index < 0 {
				strong(d)
				n.low = min(n.low, d.low)
			} else if d.onStack {
				n.low = min(n.low, d.index)
			}
		}
		if n.low != n.index {
			return
		}
		c := &component{}
		for {
			m := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			m.onStack = false
			m.comp = c
			c.nodes = append(c.nodes, m)
			if m == n {
				break
			}
		}
		slices.SortFunc(c.nodes, func(a, b *node) int { return strings.Compare(a.name, b.name) })
		for _, m := range c.nodes {
			for _, d := range m.deps {
				if d.comp != c {
					c.level = max(c.level, d.comp.level+1)
				}
			}
		}
		for len(g.comps) <= c.level {
			g.comps = append(g.comps, nil)
		}
		g.comps[c.level] = append(g.comps[c.level], c)
	}
	for _, n := range g.nodes {
		if n.index < 0 {
			strong(n)
		}
	}
}

// cyclic reports whether a component is a cycle: several nodes, or one
// that refers to itself.
func (c *component) cyclic() bool {
	return len(c.nodes) > 1 || slices.Contains(c.nodes[0].deps, c.nodes[0])
}

// make gives every node its final bytes and hashed name, level by level,
// the components of a level in parallel. done is called after each node.
func (g *graph) make(ctx context.Context, minify minifyFunc, done func(n *node)) (ErrorList, error) {
	var diags ErrorList
	for _, level := range g.comps {
		found := make([]ErrorList, len(level))
		eg, ctx := errgroup.WithContext(ctx)
		eg.SetLimit(runtime.GOMAXPROCS(0))
		for i, c := range level {
			eg.Go(func() error {
				if err := ctx.Err(); err != nil {
					return err
				}
				for _, n := range c.nodes {
					if n.src != nil && n.src.hit == nil {
						if err := g.read(n.src); err != nil {
							return err
						}
					}
				}
				found[i] = c.make(minify)
				for _, n := range c.nodes {
					done(n)
				}
				return nil
			})
		}
		if err := eg.Wait(); err != nil {
			return nil, err
		}
		for _, f := range found {
			diags = append(diags, f...)
		}
	}
	// A map file that a minified file remakes is what that file made of
	// it: a node's making writes only its own fields.
	for _, n := range g.nodes {
		if o := n.mapOf; o != nil && o.smap.remadeHash != "" {
			n.data, n.hash = o.smap.remade, o.smap.remadeHash
			n.path = manifest.HashedPath(n.name, n.hash)
		}
	}
	return diags, nil
}

// minifyFunc minifies a node's rewritten bytes, where edits say how
// rewriting moved its columns, and makes its source map if it has one.
type minifyFunc func(n *node, data []byte, edits []sourcemap.Edit) ([]byte, ErrorList)

// make names and rewrites the nodes of one component. A node outside a
// cycle is rewritten, minified when asked, and named for the hash of the
// result. The nodes of a cycle are named first, for one hash over all of
// them as they are with the references outside the cycle rewritten, and
// then rewritten. A source map that a minified file remakes is made with
// that file, not on its own.
func (c *component) make(minify minifyFunc) ErrorList {
	var diags ErrorList
	if !c.cyclic() {
		n := c.nodes[0]
		if n.mapOf != nil {
			return nil
		}
		if n.src != nil && n.src.hit != nil {
			h := n.src.hit
			n.hash, n.integrity, n.size = h.hash, h.integrity, h.size
			n.path = manifest.HashedPath(n.name, n.hash)
			return nil
		}
		data, edits := n.rewrite()
		data, d := minify(n, data, edits)
		diags = append(diags, d...)
		n.data = data
		n.hash = manifest.ContentHash(data)
		n.path = manifest.HashedPath(n.name, n.hash)
		if n.src != nil && n.src.stat.ino != 0 {
			n.integrity = manifest.Integrity(data) // for the build cache
		}
		return diags
	}
	var all []byte // what the shared hash is of
	for _, n := range c.nodes {
		partial, _ := n.rewrite() // references inside the cycle still as written
		all = append(all, n.name...)
		all = append(all, 0)
		all = binary.BigEndian.AppendUint64(all, uint64(len(partial)))
		all = append(all, partial...)
		if n.smap != nil && n.smap.file != nil {
			// The map it remakes, and so the name in its comment,
			// depends on the map's bytes too.
			m := n.smap.file.src.data
			all = binary.BigEndian.AppendUint64(all, uint64(len(m)))
			all = append(all, m...)
		}
	}
	hash := manifest.ContentHash(all)
	for _, n := range c.nodes {
		n.hash, n.path = hash, manifest.HashedPath(n.name, hash)
	}
	for _, n := range c.nodes {
		data, edits := n.rewrite()
		data, d := minify(n, data, edits)
		diags = append(diags, d...)
		n.data = data
	}
	return diags
}

// rewrite returns the node's bytes with each reference to a node already
// named replaced by its hashed name, in place: the path as written, with
// the hash put into its last segment, and the query and fragment kept.
// A node that gets a map of its minified self (planMaps) loses its source
// map comments instead, which esbuild would otherwise follow itself when
// one holds an inline map; for it, rewrite also returns its edits.
func (n *node) rewrite() ([]byte, []sourcemap.Edit) {
	data := n.input()
	var out bytes.Buffer
	var edits []sourcemap.Edit
	last := 0
	replace := func(start, end int, with string) {
		if n.smap != nil {
			edits = append(edits, n.src.lines.Edit(data, start, end, with))
		}
		if out.Cap() == 0 {
			// Once, not doubling as it goes: a large file would leave
			// copies of itself for the collector.
			out.Grow(len(data) + len(n.refs)*len(".0123456789ab"))
		}
		out.Write(data[last:start])
		out.WriteString(with)
		last = end
	}
	for i, r := range n.refs {
		if n.smap != nil && r.Kind == scan.SourceMap {
			replace(r.At, r.At+len(r.Text), "")
			continue
		}
		t := n.to[i]
		if t == nil || t.mapOf != nil && t.mapOf != n || t.hash == "" {
			continue // a mistake planMaps reported; or in the same cycle, not named yet
		}
		written := strings.TrimSpace(r.URL)
		written = written[:len(written)-len(r.suffix)]
		replace(r.Start, r.End, r.Escape(manifest.HashedPath(written, t.hash)+r.suffix))
	}
	if last == 0 {
		return data, nil
	}
	out.Write(data[last:])
	return out.Bytes(), edits
}

// relDir returns the relative URL from a file in dir to the directory
// to, ending in "/" unless it is empty (the same directory).
func relDir(dir, to string) string {
	var from, target []string
	if dir != "" && dir != "." {
		from = strings.Split(dir, "/")
	}
	if to != "" && to != "." {
		target = strings.Split(to, "/")
	}
	i := 0
	for i < len(from) && i < len(target) && from[i] == target[i] {
		i++
	}
	var b strings.Builder
	for range from[i:] {
		b.WriteString("../")
	}
	for _, seg := range target[i:] {
		b.WriteString(escapeSegment(seg))
		b.WriteByte('/')
	}
	return b.String()
}

// bundleURL is what a reference from a bundled stylesheet becomes: a
// stylesheet moves into the bundle's output, so a relative reference is
// made anew from the output's directory, with the target's last segment
// as written; an absolute one is rewritten in place.
// The hash in the name is hash, the target's own or a stand-in for it.
func bundleURL(r resolved, outDir string, t *node, hash string) string {
	written := strings.TrimSpace(r.URL)
	written = written[:len(written)-len(r.suffix)]
	if strings.HasPrefix(written, "/") || schemeRE.MatchString(written) {
		return manifest.HashedPath(written, hash) + r.suffix
	}
	base := written[strings.LastIndexByte(written, '/')+1:]
	return relDir(outDir, path.Dir(t.name)) + manifest.HashedPath(base, hash) + r.suffix
}

// referenced returns the names that a file of the build refers to: the
// targets of every node's references, and the files the stylesheets of
// bundles refer to.
func (g *graph) referenced(built []*builtBundle) map[string]bool {
	out := map[string]bool{}
	for _, n := range g.nodes {
		for _, t := range n.to {
			if t != nil {
				out[t.name] = true
			}
		}
	}
	for _, b := range built {
		for _, t := range b.targets {
			out[t.file.Name] = true
		}
	}
	return out
}
