// Package globals reads the top level of a classic script: the global
// names it declares, the free names its code reads while the script
// loads, and whether it starts with a "use strict" directive. The
// bundler uses it to check the order of a classic bundle's sources.
//
// # What runs at load
//
// A classic script's statements run when the page loads it; the bodies of
// its functions run later, when something calls them. So a read of a
// global in a statement, or in the body of a function called where it is
// written (an IIFE: (function($){ … })(jQuery), !function(){ … }(),
// (function(){ … }).call(this)), happens at load, and so do the
// arguments of that call and a class's extends clause. A read inside any
// other function, under typeof, or as the target of a plain assignment
// is not one: it throws nothing at load. The reading errs on the side of
// saying nothing: a function passed as an argument, even one its callee
// runs at once (a UMD factory), is taken to run later.
//
// # What a script declares
//
// Its top-level var, let, const, function and class declarations; a
// plain assignment at load to a name it does not declare (x = 1, an
// implicit global); and an assignment, anywhere, to a property of
// window, globalThis, global or root (unless a let or const), or of self
// where it is the global
// (window.jQuery = jQuery, as
// jQuery and lodash make their globals from inside a function).
//
// Positions are byte offsets, found with tdewolff/parse's JavaScript
// tokenizer, since its syntax tree keeps none: a read is placed at the
// name's first occurrence as a variable outside the functions that run
// later, a declaration at its first at the script's top level (outside
// every brace); failing that, at the first occurrence anywhere.
package globals

import (
	"slices"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// A Kind says how a script declares a name.
type Kind int

const (
	Var      Kind = iota // var x
	Function             // function x() {}
	Lexical              // let, const or class
	Implicit             // x = 1 at load, with no declaration
	Property             // window.x = …, self.x = …, globalThis.x = …
)

// A Name is a name and where it is written, as a byte offset.
type Name struct {
	Name string
	At   int
}

// A Decl is a global a script declares.
type Decl struct {
	Name
	Kind Kind
	// Guarded is set for a var that keeps a value it finds: var x; or
	// var x = x || {} (or window.x || …): declaring it again overwrites
	// nothing.
	Guarded bool
}

// Script is what [Read] finds in a classic script.
type Script struct {
	Declares []Decl // each name once, in order of position
	Reads    []Name // the free names read at load, each once, in order of position
	Strict   int    // the offset of a "use strict" directive at its top, or -1
}

// Declared reports whether the script declares name, and how.
func (s *Script) Declared(name string) (Decl, bool) {
	for _, d := range s.Declares {
		if d.Name.Name == name {
			return d, true
		}
	}
	return Decl{}, false
}

// Read parses a classic script. Its error is a syntax error of
// tdewolff's parser, or one for a script that is an ES module.
func Read(src []byte) (*Script, error) {
	ast, err := js.Parse(parse.NewInputBytes(slices.Clip(src)), js.Options{})
	if err != nil {
		return nil, err
	}
	toks := tokens(src)
	idx := toks.index()
	s := &Script{Strict: -1}

	// The directive prologue: the strings that open the script.
	for _, st := range ast.List {
		d, ok := st.(*js.DirectivePrologueStmt)
		if !ok {
			break
		}
		if v := string(d.Value); v == `"use strict"` || v == `'use strict'` {
			s.Strict = idx.find(v, false, false)
			break
		}
	}

	// Declarations: the global scope's own, and the guarded vars.
	guarded := map[string]bool{}
	topFuncs := map[string]bool{} // function declarations that are statements of the script itself
	for _, st := range ast.List {
		if f, ok := st.(*js.FuncDecl); ok && f.Name != nil {
			topFuncs[string(f.Name.Data)] = true
		}
		if vd, ok := st.(*js.VarDecl); ok && vd.TokenType == js.VarToken {
			for _, be := range vd.List {
				if v, ok := be.Binding.(*js.Var); ok && (be.Default == nil || mentions(be.Default, string(v.Data))) {
					guarded[string(v.Data)] = true
				}
			}
		}
	}
	seen := map[string]bool{}
	declare := func(name string, kind Kind, at int) {
		if seen[name] || at < 0 {
			return
		}
		seen[name] = true
		s.Declares = append(s.Declares, Decl{Name: Name{name, at}, Kind: kind, Guarded: kind == Var && guarded[name]})
	}
	for _, v := range ast.Scope.Declared {
		name := string(v.Data)
		switch v.Decl {
		case js.VariableDecl:
			declare(name, Var, idx.find(name, true, false))
		case js.FunctionDecl:
			// One in a block is the block's in strict mode (Django's
			// admin scripts: 'use strict'; { function ready() … }),
			// and only maybe global in sloppy mode: left out.
			if topFuncs[name] {
				declare(name, Function, idx.find(name, true, false))
			}
		case js.LexicalDecl:
			declare(name, Lexical, idx.find(name, true, false))
		}
	}
	w := &loadWalker{iife: map[js.INode]bool{}, reads: map[string]bool{}, assigns: map[string]bool{}}
	js.Walk(w, &ast.BlockStmt)
	if !ast.Scope.HasWith { // with makes every free name ambiguous
		later := toks.later()
		for name := range w.reads {
			if !seen[name] {
				s.Reads = append(s.Reads, Name{name, idx.findRead(name, later)})
			}
		}
	}
	for name := range w.assigns {
		declare(name, Implicit, idx.find(name, true, false))
	}
	pw := &propertyWalker{names: map[string]bool{}}
	js.Walk(pw, &ast.BlockStmt)
	for name := range pw.names {
		declare(name, Property, idx.find(name, false, true))
	}
	slices.SortFunc(s.Declares, func(a, b Decl) int { return a.At - b.At })
	slices.SortFunc(s.Reads, func(a, b Name) int { return a.At - b.At })
	return s, nil
}

// globalObject reports whether a variable names the global object: window
// or globalThis, as a global or as a parameter (jQuery's factory calls it
// window); global and root, what UMD wrappers and lodash call it; self
// only as the global, since var self = this is common in methods.
func globalObject(v *js.Var) bool {
	switch string(v.Data) {
	case "window", "globalThis":
		return true
	case "global", "root":
		for v.Link != nil {
			v = v.Link
		}
		return v.Decl != js.LexicalDecl // const root = element: a DOM node
	case "self":
		return free(v) != ""
	}
	return false
}

// free returns the name of a variable that no scope of the script
// declares, or "".
func free(e js.IExpr) string {
	v, ok := e.(*js.Var)
	if !ok {
		return ""
	}
	for v.Link != nil {
		v = v.Link
	}
	if v.Decl != js.NoDecl {
		return ""
	}
	return string(v.Data)
}

// ungroup returns the expression inside parentheses.
func ungroup(e js.IExpr) js.IExpr {
	for {
		g, ok := e.(*js.GroupExpr)
		if !ok {
			return e
		}
		e = g.X
	}
}

// loadWalker collects the free names read, and assigned, by the code
// that runs as the script loads.
type loadWalker struct {
	iife    map[js.INode]bool // the functions called where they are written
	reads   map[string]bool
	assigns map[string]bool
}

func (w *loadWalker) Enter(n js.INode) js.IVisitor {
	switch n := n.(type) {
	case *js.FuncDecl:
		if !w.iife[n] {
			return nil
		}
	case *js.ArrowFunc:
		if !w.iife[n] {
			return nil
		}
	case *js.MethodDecl:
		return nil
	case *js.ClassDecl:
		if n.Extends != nil {
			js.Walk(w, n.Extends)
		}
		return nil
	case *js.CallExpr:
		callee := ungroup(n.X)
		if d, ok := callee.(*js.DotExpr); ok {
			if m, ok := d.Y.(js.LiteralExpr); ok && (string(m.Data) == "call" || string(m.Data) == "apply") {
				callee = ungroup(d.X)
			}
		}
		switch f := callee.(type) {
		case *js.FuncDecl:
			w.iife[f] = true
		case *js.ArrowFunc:
			w.iife[f] = true
		}
	case *js.UnaryExpr:
		if n.Op == js.TypeofToken {
			if _, ok := ungroup(n.X).(*js.Var); ok {
				return nil // typeof x throws nothing
			}
		}
	case *js.BinaryExpr:
		if n.Op == js.EqToken {
			if name := free(n.X); name != "" {
				w.assigns[name] = true
				js.Walk(w, n.Y)
				return nil
			}
		}
	case *js.Var:
		if name := free(n); name != "" {
			w.reads[name] = true
		}
	}
	return w
}

func (w *loadWalker) Exit(js.INode) {}

// propertyWalker collects the names assigned as properties of the
// global object, anywhere in the script.
type propertyWalker struct{ names map[string]bool }

func (w *propertyWalker) Enter(n js.INode) js.IVisitor {
	if b, ok := n.(*js.BinaryExpr); ok && b.Op == js.EqToken {
		if d, ok := b.X.(*js.DotExpr); ok {
			obj, isVar := ungroup(d.X).(*js.Var)
			prop, isName := d.Y.(js.LiteralExpr)
			if isVar && isName && globalObject(obj) && js.AsIdentifierName(prop.Data) {
				w.names[string(prop.Data)] = true
			}
		}
	}
	return w
}

func (w *propertyWalker) Exit(js.INode) {}

// mentions reports whether an expression reads name, as a variable or as
// a property of the global object (var x = window.x || {}).
func mentions(e js.IExpr, name string) bool {
	m := &mentionWalker{name: name}
	js.Walk(m, e)
	return m.found
}

type mentionWalker struct {
	name  string
	found bool
}

func (m *mentionWalker) Enter(n js.INode) js.IVisitor {
	switch n := n.(type) {
	case *js.Var:
		m.found = m.found || string(n.Data) == m.name
	case *js.DotExpr:
		if obj, ok := ungroup(n.X).(*js.Var); ok && globalObject(obj) {
			if p, ok := n.Y.(js.LiteralExpr); ok && string(p.Data) == m.name {
				m.found = true
			}
		}
	}
	if m.found {
		return nil
	}
	return m
}

func (m *mentionWalker) Exit(js.INode) {}
