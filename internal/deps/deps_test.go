package deps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/stapler-build/stapler"

const suggest = module + "/internal/suggest"

// s3Client is publish's S3 client, which only publish compiles.
const s3Client = module + "/publish/internal/s3"

// public are the packages the command may import; testOnly those only
// tests may.
var (
	public   = []string{module + "/bundler", module + "/manifest", module + "/finders", module + "/publish", module + "/djangoinit"}
	testOnly = []string{module + "/internal/testenv", module + "/internal/deps"}
)

// pkg is what the rules read of a package in go list's JSON.
type pkg struct {
	ImportPath   string
	Standard     bool
	Imports      []string // non-test, direct
	Deps         []string // non-test, direct and indirect
	TestImports  []string
	XTestImports []string
}

// TestImportRules checks the import rules (see the package doc) over the
// module as it is.
func TestImportRules(t *testing.T) {
	pkgs := goList(t)
	for _, want := range public {
		if !slices.ContainsFunc(pkgs, func(p *pkg) bool { return p.ImportPath == want }) {
			t.Errorf("go list found no %s: the rules name it; update them", want)
		}
	}
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// goList lists the module's packages and everything they depend on.
func goList(t *testing.T) []*pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps",
		"-json=ImportPath,Standard,Imports,Deps,TestImports,XTestImports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []*pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		p := new(pkg)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// leafModules is the one third-party module each leaf under
// bundler/internal may use: the vocabulary it speaks, and nothing else.
var leafModules = map[string]string{
	"bundler/internal/sourcemap": "",
	"bundler/internal/scan":      "github.com/tdewolff/parse/v2",
	"bundler/internal/tomlpos":   "github.com/pelletier/go-toml/v2",
	"bundler/internal/globals":   "github.com/tdewolff/parse/v2",
}

func orModule(mod string) string {
	if mod == "" {
		return ""
	}
	return " and " + mod
}

// violations returns a line for each import that breaks a rule, naming
// the package whose import it is.
func violations(pkgs []*pkg) []string {
	byPath := make(map[string]*pkg)
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	standard := func(path string) bool { return byPath[path] != nil && byPath[path].Standard }
	var v []string
	for _, p := range pkgs {
		if !ours(p.ImportPath) {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(testOnly, imp) {
				v = append(v, short(p.ImportPath)+" imports "+short(imp)+", which only tests may import")
			}
		}
		name := short(p.ImportPath)
		switch {
		case name == "manifest":
			v = append(v, depsOnly(p, byPath, func(d string) bool { return standard(d) || d == suggest },
				"manifest may depend on the standard library and internal/suggest only: a web app that imports it must not compile more")...)
		case name == "finders":
			v = append(v, depsOnly(p, byPath, func(d string) bool { return !ours(d) || d == suggest },
				"finders may depend on nothing of stapler's but internal/suggest")...)
		case name == "bundler" || name == "finders":
			v = append(v, depsOnly(p, byPath, func(d string) bool {
				return !strings.HasPrefix(d, module+"/publish")
			},
				name+" may not depend on publish or its S3 client: a build needs no network client")...)
		case strings.HasPrefix(name, "publish/internal/"):
			v = append(v, depsOnly(p, byPath, func(d string) bool { return !ours(d) },
				"a package under publish/internal may depend on nothing of stapler's")...)
			v = append(v, depsOnly(p, byPath, func(d string) bool { return ours(d) || standard(d) },
				name+" may depend on the standard library only: every stapler command pays for a client library's initialisation")...)
		case name == "djangoinit":
			v = append(v, depsOnly(p, byPath, func(d string) bool { return !ours(d) || d == module+"/finders" || d == suggest },
				"djangoinit may depend on nothing of stapler's but finders: it writes a config, and builds nothing")...)
		case strings.HasPrefix(name, "bundler/internal/"):
			v = append(v, depsOnly(p, byPath, func(d string) bool { return !ours(d) },
				"a package under bundler/internal may depend on nothing of stapler's, another of them included")...)
			if mod, ok := leafModules[name]; ok {
				v = append(v, depsOnly(p, byPath, func(d string) bool { return ours(d) || standard(d) || mod != "" && strings.HasPrefix(d, mod) },
					fmt.Sprintf("%s speaks one vocabulary: it may depend on the standard library%s only", name, orModule(mod)))...)
			}
		case name == "cmd" || strings.HasPrefix(name, "cmd/"):
			for _, imp := range p.Imports {
				if ours(imp) && !slices.Contains(public, imp) {
					v = append(v, name+" imports "+short(imp)+": the command may import only stapler's public packages (bundler, manifest, finders, publish, djangoinit)")
				}
			}
			for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
				if ours(imp) && imp != p.ImportPath && !slices.Contains(public, imp) && !slices.Contains(testOnly, imp) {
					v = append(v, name+"'s tests import "+short(imp)+": the command's tests may import only stapler's public and test-only packages")
				}
			}
		}
	}
	return v
}

// depsOnly returns a line for each package p depends on that allowed does
// not allow, naming the package that imports it: p itself, or one p may
// depend on. A package reached only through another not allowed is left
// out: the line of the other names the import to remove.
func depsOnly(p *pkg, byPath map[string]*pkg, allowed func(string) bool, rule string) []string {
	var v []string
	for _, d := range p.Deps {
		if allowed(d) {
			continue
		}
		line := short(p.ImportPath) + " depends on " + short(d)
		if !slices.Contains(p.Imports, d) {
			via := slices.IndexFunc(p.Deps, func(e string) bool {
				return allowed(e) && byPath[e] != nil && slices.Contains(byPath[e].Imports, d)
			})
			if via < 0 {
				continue
			}
			line += " (imported by " + short(p.Deps[via]) + ")"
		}
		v = append(v, line+": "+rule)
	}
	return v
}

// ours reports whether path is a package of stapler's.
func ours(path string) bool {
	return path == module || strings.HasPrefix(path, module+"/")
}

// short names a package of stapler's by its path in the module.
func short(path string) string {
	if ours(path) {
		return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
	}
	return path
}

// TestViolations shows that each rule fails, with the import that breaks
// it, over made-up lists of packages.
func TestViolations(t *testing.T) {
	std := func(path string, imports ...string) *pkg {
		return &pkg{ImportPath: path, Standard: true, Imports: imports, Deps: imports}
	}
	ext := func(path string, imports ...string) *pkg {
		return &pkg{ImportPath: path, Imports: imports, Deps: imports}
	}
	// our makes a package of stapler's; deps are its imports then, after
	// "|", what it depends on through them.
	our := func(name string, deps ...string) *pkg {
		p := &pkg{ImportPath: module + "/" + name}
		i := slices.Index(deps, "|")
		if i < 0 {
			i = len(deps)
		}
		p.Imports = deps[:i]
		p.Deps = slices.Sorted(slices.Values(slices.Concat(deps[:i], deps[min(i+1, len(deps)):])))
		return p
	}
	m := func(name string) string { return module + "/" + name }
	const (
		esbuild   = "github.com/evanw/esbuild/pkg/api"
		gotoml    = "github.com/pelletier/go-toml/v2"
		doublestr = "github.com/bmatcuk/doublestar/v4"
	)
	base := []*pkg{
		std("fmt"), std("net/http", "fmt"), std("testing"),
		ext(esbuild, "fmt"), ext(gotoml), ext(doublestr),
		our("internal/suggest", "fmt"),
		our("internal/testenv", "fmt"),
	}
	tests := []struct {
		name string
		pkgs []*pkg
		want []string // a line each, in order
	}{
		{"all well", []*pkg{
			our("manifest", "net/http", m("internal/suggest"), "|", "fmt"),
			our("finders", doublestr, m("internal/suggest"), "|", "fmt"),
			our("bundler/internal/tomlpos", gotoml),
			our("bundler/internal/scan", "fmt"),
			our("bundler", m("manifest"), m("finders"), m("bundler/internal/scan"), m("bundler/internal/tomlpos"), esbuild),
			{ImportPath: module + "/cmd/stapler", Imports: []string{module + "/bundler", module + "/manifest", module + "/finders"},
				TestImports: []string{module + "/internal/testenv", module + "/cmd/stapler"}},
		}, nil},
		{"manifest imports esbuild", []*pkg{
			our("manifest", "net/http", esbuild, "|", "fmt"),
		}, []string{"manifest depends on " + esbuild + ": manifest may depend on the standard library"}},
		{"manifest reaches go-toml through bundler", []*pkg{
			our("manifest", m("bundler"), "|", gotoml),
			our("bundler", gotoml),
		}, []string{
			"manifest depends on bundler: manifest may",
		}},
		{"finders imports manifest", []*pkg{
			our("finders", doublestr, m("manifest"), "|", m("internal/suggest")),
			our("manifest", m("internal/suggest")),
		}, []string{"finders depends on manifest: finders may depend on nothing of stapler's"}},
		{"a leaf imports another", []*pkg{
			our("bundler/internal/scan", m("bundler/internal/sourcemap")),
			our("bundler/internal/sourcemap", "fmt"),
		}, []string{"bundler/internal/scan depends on bundler/internal/sourcemap: a package under bundler/internal"}},
		{"a leaf imports suggest", []*pkg{
			our("bundler/internal/tomlpos", gotoml, m("internal/suggest")),
		}, []string{"bundler/internal/tomlpos depends on internal/suggest: a package under bundler/internal"}},
		{"a leaf imports manifest, and so suggest", []*pkg{
			our("bundler/internal/scan", m("manifest"), "|", m("internal/suggest")),
			our("manifest", m("internal/suggest")),
		}, []string{"bundler/internal/scan depends on manifest: a package under bundler/internal"}},
		{"a leaf uses another vocabulary's module", []*pkg{
			our("bundler/internal/sourcemap", "fmt", esbuild),
			our("bundler/internal/tomlpos", gotoml, doublestr),
		}, []string{
			"bundler/internal/sourcemap depends on github.com/evanw/esbuild/pkg/api: bundler/internal/sourcemap speaks one vocabulary: it may depend on the standard library only",
			"bundler/internal/tomlpos depends on github.com/bmatcuk/doublestar/v4: bundler/internal/tomlpos speaks one vocabulary: it may depend on the standard library and github.com/pelletier/go-toml/v2 only",
		}},
		{"manifest reaches esbuild through a dependency", []*pkg{
			our("manifest", "net/http", "example.com/util", "|", esbuild, "fmt"),
			ext("example.com/util", esbuild),
		}, []string{
			"manifest depends on example.com/util: manifest may",
		}},
		{"manifest reaches esbuild through the standard library", []*pkg{
			our("manifest", "net/http", "|", esbuild, "fmt"),
			std("net/http", esbuild),
		}, []string{
			"manifest depends on " + esbuild + " (imported by net/http): manifest may",
		}},
		{"bundler imports the S3 client", []*pkg{
			our("bundler", m("manifest"), s3Client),
		}, []string{"bundler depends on publish/internal/s3: bundler may not depend on publish"}},
		{"the S3 client imports a client library", []*pkg{
			our("publish/internal/s3", "net/http", "github.com/minio/minio-go/v7"),
		}, []string{"publish/internal/s3 depends on github.com/minio/minio-go/v7: publish/internal/s3 may depend on the standard library only"}},
		{"a publish leaf imports bundler", []*pkg{
			our("publish/internal/s3", m("bundler")),
			our("bundler", "fmt"),
		}, []string{"publish/internal/s3 depends on bundler: a package under publish/internal"}},
		{"the command imports an internal package", []*pkg{
			our("cmd/stapler", m("bundler"), m("internal/suggest")),
		}, []string{"cmd/stapler imports internal/suggest: the command may import only stapler's public packages"}},
		{"the command's tests import a leaf", []*pkg{
			{ImportPath: module + "/cmd/stapler", TestImports: []string{module + "/bundler/internal/scan"}},
		}, []string{"cmd/stapler's tests import bundler/internal/scan: the command's tests may import only"}},
		{"library code imports testenv", []*pkg{
			our("bundler", m("internal/testenv")),
		}, []string{"bundler imports internal/testenv, which only tests may import"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := violations(slices.Concat(base, tc.pkgs))
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.HasPrefix(got[i], tc.want[i])
			}
			if !ok {
				t.Errorf("got:\n%s\nwant lines beginning:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
