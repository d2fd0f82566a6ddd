package bundler

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// codeConsts returns the Code constants of codes.go, by name.
func codeConsts(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || !strings.HasPrefix(name.Name, "Code") {
					t.Fatalf("codes.go: %s is not a Code constant with a string value", name.Name)
				}
				consts[name.Name], _ = strconv.Unquote(lit.Value)
			}
		}
	}
	return consts
}

// TestErrorsPage keeps docs/errors.md equal to the codes the package
// emits: a heading for every constant, a constant for every heading.
func TestErrorsPage(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "docs", "errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, m := range regexp.MustCompile("(?m)^## `([^`]+)`").FindAllSubmatch(page, -1) {
		listed = append(listed, string(m[1]))
	}
	var codes []string
	for _, v := range codeConsts(t) {
		codes = append(codes, v)
	}
	for _, c := range codes {
		if !slices.Contains(listed, c) {
			t.Errorf("docs/errors.md has no heading ## `%s`, a code the package emits", c)
		}
	}
	for _, c := range listed {
		if !slices.Contains(codes, c) {
			t.Errorf("docs/errors.md lists %q, which no Code constant in codes.go is", c)
		}
	}
}

// TestCodesUsed checks that every diagnostic the package makes takes its
// code from codes.go, and that every constant there is emitted somewhere:
// a code written as a bare string would escape TestErrorsPage, and an
// unused constant would keep a dead heading on the page.
func TestCodesUsed(t *testing.T) {
	consts := codeConsts(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "codes.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		bare := func(e ast.Expr) {
			if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				t.Errorf("%s: diagnostic code %s is a bare string: use a constant of codes.go", fset.Position(lit.Pos()), lit.Value)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				if _, ok := consts[n.Name]; ok {
					used[n.Name] = true
				}
			case *ast.KeyValueExpr:
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Code" {
					bare(n.Value)
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					sel, isSel := lhs.(*ast.SelectorExpr)
					id, isID := lhs.(*ast.Ident)
					if i < len(n.Rhs) && (isSel && sel.Sel.Name == "Code" || isID && id.Name == "code") {
						bare(n.Rhs[i])
					}
				}
			case *ast.CallExpr:
				var fn string
				switch f := n.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				if at, ok := map[string]int{"errorf": 1, "problem": 0, "esbuildDiagnostic": 2}[fn]; ok && at < len(n.Args) {
					bare(n.Args[at])
				}
			}
			return true
		})
	}
	for name, code := range consts {
		if !used[name] {
			t.Errorf("%s (%q) is never emitted: drop it from codes.go and docs/errors.md", name, code)
		}
	}
}
