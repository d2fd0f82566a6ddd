package bundler_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
)

// BenchmarkEntryBundle bundles a generated TypeScript app shaped like a
// single-page app's: an entry with a router that loads each of
// entryFeatures features with import(); each feature a tree of
// entryModules modules (interfaces, enums, generic classes with private
// fields and parameter properties) that also import two to four of
// entryShared library modules, chosen per feature, so that esbuild
// splits the libraries the lazily loaded features share into chunks of
// their own; a stylesheet imported by the entry with two fonts, and one
// imported by every fourth feature with url()s of images. Source maps on,
// minified, as a production build would be.
const (
	entrySeed     = 2028
	entryFeatures = 20
	entryModules  = 15 // per feature, its index.ts included
	entryShared   = 12
	entryImages   = 8
)

var entryLibs = strings.Fields("format http store validate dates money i18n events cache dom chart table")

// entryGen writes the app, drawing names and numbers from the seeded
// source of bench_test.go's generator.
type entryGen struct {
	*projectGen
	modules int // TypeScript files
}

func (g *entryGen) pascal(n int) string {
	s := g.camel(n)
	return strings.ToUpper(s[:1]) + s[1:]
}

// lib writes lib/<name>.ts: a service class and three functions that
// features use: <name>Apply, <name>Check and <name>Describe.
func (g *entryGen) lib(i int) {
	name := entryLibs[i]
	up := strings.ToUpper(name[:1]) + name[1:]
	var b strings.Builder
	fmt.Fprintf(&b, "// %s: the %s and %s of every screen.\nimport type { Entity, Page } from \"../core/types\";\nimport { Status } from \"../core/types\";\n", name, g.word(), g.word())
	if i > 0 && i%4 == 0 {
		// A few libraries use another, as http uses cache.
		fmt.Fprintf(&b, "import { %sApply } from \"./%s\";\n", entryLibs[i-1], entryLibs[i-1])
	}
	fmt.Fprintf(&b, `
export enum %[1]sMode {
  Fast = "fast",
  Safe = "safe",
  Off = "off",
}

export interface %[1]sOptions {
  mode: %[1]sMode;
  limit: number;
  label?: string;
}

export class %[1]sService<T extends Entity> {
  private readonly items = new Map<number, T>();
  #hits = 0;

  constructor(private readonly options: %[1]sOptions = { mode: %[1]sMode.Safe, limit: %[2]d }) {}

  put(item: T): this {
    if (this.items.size >= this.options.limit) {
      throw new Error(`+"`%[3]s: more than ${this.options.limit} items`"+`);
    }
    this.items.set(item.id, item);
    return this;
  }

  get(id: number): T | undefined {
    this.#hits++;
    return this.items.get(id);
  }

  page(n: number, size = %[4]d): Page<T> {
    const items = [...this.items.values()].slice(n * size, (n + 1) * size);
    return { items, total: this.items.size, n };
  }

  active(): T[] {
    return [...this.items.values()].filter((item) => item.status === Status.Active);
  }
}
`, up, 50+g.r.IntN(500), name, 10+g.r.IntN(40))
	for _, fn := range []string{"Apply", "Check", "Describe"} {
		fmt.Fprintf(&b, `
export function %s%s<T extends Entity>(items: readonly T[], label = "%s %s"): string {
  const parts: string[] = [];
  for (const [i, item] of items.entries()) {
    if (item.status !== Status.Deleted && i %% %d !== 0) {
      parts.push(`+"`${label} #${item.id}: %s`"+`);
    }
  }
`, name, fn, g.word(), g.word(), 2+g.r.IntN(5), g.word())
		if i > 0 && i%4 == 0 && fn == "Apply" {
			fmt.Fprintf(&b, "  parts.push(%sApply(items));\n", entryLibs[i-1])
		}
		b.WriteString("  return parts.join(\", \");\n}\n")
	}
	g.write(fmt.Sprintf("static/app/lib/%s.ts", name), []byte(b.String()))
	g.modules++
}

// module writes a feature's module: an enum, an interface, a panel class
// and a render function that calls its children's and a library's.
func (g *entryGen) module(dir, file, name string, children [][2]string, libs []int) {
	var b strings.Builder
	fmt.Fprintf(&b, "// %s: the %s %s panel.\nimport type { Entity } from \"../../core/types\";\nimport { Status, Priority } from \"../../core/types\";\n", file, g.word(), g.word())
	lib := entryLibs[libs[g.r.IntN(len(libs))]]
	fn := lib + []string{"Apply", "Check", "Describe"}[g.r.IntN(3)]
	service := strings.ToUpper(lib[:1]) + lib[1:] + "Service"
	fmt.Fprintf(&b, "import { %s, %s } from \"../../lib/%s\";\n", fn, service, lib)
	for _, c := range children {
		fmt.Fprintf(&b, "import { render%s } from \"./%s\";\n", c[1], c[0])
	}
	kinds := []string{}
	for range 3 + g.r.IntN(3) {
		k := g.pascal(1)
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	fmt.Fprintf(&b, "\nexport enum %sKind {\n", name)
	for i, k := range kinds {
		fmt.Fprintf(&b, "  %s = %d,\n", k, i*10+g.r.IntN(10))
	}
	fmt.Fprintf(&b, `}

export interface %[1]sRow extends Entity {
  kind: %[1]sKind;
  label: string;
  priority: Priority;
  %[2]sCount?: number;
  tags: readonly string[];
}

export class %[1]sPanel<T extends %[1]sRow = %[1]sRow> {
  #rows: T[] = [];
  protected selected?: T;

  constructor(private readonly title: string, public limit: number = %[3]d) {}

  add(row: T): this {
    if (this.#rows.length < this.limit) {
      this.#rows.push(row);
    }
    return this;
  }

  get size(): number {
    return this.#rows.length;
  }

  byKind(kind: %[1]sKind): T[] {
    return this.#rows.filter((row) => row.kind === kind);
  }

  select(id: number): T | undefined {
    this.selected = this.#rows.find((row) => row.id === id);
    return this.selected;
  }

  summary(): string {
    const urgent = this.#rows.filter((row) => row.priority === Priority.High).length;
    return `+"`${this.title}: ${this.size} rows, ${urgent} urgent, ${this.byKind(%[1]sKind.%[4]s).length} %[5]s`"+`;
  }
}

function score(row: %[1]sRow): number {
  switch (row.kind) {
`, name, g.word(), 20+g.r.IntN(200), kinds[0], g.word())
	for _, k := range kinds {
		fmt.Fprintf(&b, "    case %sKind.%s:\n      return (row.%s ?? %d) * %d;\n", name, k, "priority", g.r.IntN(10), 1+g.r.IntN(9))
	}
	fmt.Fprintf(&b, `    default:
      return 0;
  }
}

export function render%[1]s(n: number): string {
  const panel = new %[1]sPanel("%[2]s %[3]s");
  for (let i = 0; i < n; i++) {
    panel.add({
      id: i,
      status: i %% 3 ? Status.Active : Status.Archived,
      kind: %[1]sKind.%[4]s,
      label: `+"`%[5]s ${i}`"+`,
      priority: i %% 2 ? Priority.Normal : Priority.High,
      tags: ["%[6]s", "%[7]s"],
    });
  }
  const best = Math.max(0, ...[...Array(n).keys()].map((id) => score(panel.select(id) as %[1]sRow)));
  const service = new %[9]s<%[1]sRow>();
  panel.byKind(%[1]sKind.%[4]s).forEach((row) => service.put(row));
  return [
    panel.summary(),
    `+"`best ${best}`"+`,
    %[8]s(service.active()),
`, name, g.word(), g.word(), kinds[len(kinds)-1], g.word(), g.word(), g.word(), fn, service)
	for _, c := range children {
		fmt.Fprintf(&b, "    render%s(n - 1),\n", c[1])
	}
	b.WriteString("  ].join(\"\\n\");\n}\n")
	g.write(dir+"/"+file+".ts", []byte(b.String()))
	g.modules++
}

// writeEntryApp writes the app and its assets.toml under dir and returns
// the config's path.
func writeEntryApp(dir string) (config string, modules int) {
	g := &entryGen{projectGen: &projectGen{r: rand.New(rand.NewPCG(entrySeed, 1)), dir: dir}}
	g.write("static/app/core/types.ts", []byte(`// types: what every module shares.
export enum Status {
  Active = 1,
  Archived,
  Deleted,
}

export const enum Priority {
  Low,
  Normal,
  High,
}

export interface Entity {
  id: number;
  status: Status;
}

export interface Page<T> {
  items: T[];
  total: number;
  n: number;
}

export interface Feature {
  mount(el: HTMLElement): void;
}
`))
	g.write("static/app/core/router.ts", []byte(`// router: loads a feature when its path is visited.
import type { Feature } from "./types";

export interface Route {
  path: string;
  load: () => Promise<Feature>;
}

export class Router {
  private readonly routes: Route[] = [];

  add(route: Route): this {
    this.routes.push(route);
    return this;
  }

  async go(path: string, el: HTMLElement): Promise<void> {
    const route = this.routes.find((r) => path.startsWith(r.path));
    if (!route) {
      throw new Error(`+"`no route for ${path}`"+`);
    }
    (await route.load()).mount(el);
  }
}
`))
	g.modules += 2
	for i := range entryShared {
		g.lib(i)
	}

	var imgs []string
	for i := range entryImages {
		name := fmt.Sprintf("%s-%d.png", g.word(), i)
		imgs = append(imgs, name)
		g.write("static/img/"+name, g.image())
	}
	for _, f := range []string{"inter-regular", "inter-bold"} {
		g.write("static/fonts/"+f+".woff2", append([]byte("wOF2"), g.image()[8:]...))
	}
	base := `@font-face {
  font-family: Inter;
  font-weight: 400;
  src: url(../../fonts/inter-regular.woff2) format("woff2");
}

@font-face {
  font-family: Inter;
  font-weight: 700;
  src: url(../../fonts/inter-bold.woff2) format("woff2");
}

body {
  font-family: Inter, sans-serif;
}

`
	g.write("static/app/core/base.css", append([]byte(base), g.stylesheet("core", imgs, "../../img")...))

	var main strings.Builder
	main.WriteString("// main: the app's entry.\nimport \"./core/base.css\";\nimport { Router } from \"./core/router\";\n\nconst router = new Router()")
	for f := range entryFeatures {
		feature := fmt.Sprintf("%s%02d", g.word(), f)
		dir := "static/app/features/" + feature
		libs := g.r.Perm(entryShared)[:2+g.r.IntN(3)]
		// Module k imports modules 2k and 2k+1: a tree of entryModules-1
		// modules under index.ts.
		files := make([][2]string, entryModules)
		for k := 1; k < entryModules; k++ {
			files[k] = [2]string{fmt.Sprintf("%s-%d", g.word(), k), g.pascal(2) + fmt.Sprint(k)}
		}
		for k := entryModules - 1; k >= 1; k-- {
			var children [][2]string
			for _, c := range []int{2 * k, 2*k + 1} {
				if c < entryModules {
					children = append(children, files[c])
				}
			}
			g.module(dir, files[k][0], files[k][1], children, libs)
		}
		var index strings.Builder
		if f%4 == 0 {
			g.write(dir+"/"+feature+".css", g.stylesheet(feature, imgs, "../../../img"))
			fmt.Fprintf(&index, "import \"./%s.css\";\n", feature)
		}
		fmt.Fprintf(&index, "import type { Feature } from \"../../core/types\";\nimport { render%s } from \"./%s\";\n\n", files[1][1], files[1][0])
		fmt.Fprintf(&index, "export const feature: Feature = {\n  mount(el: HTMLElement): void {\n    el.className = \"%s\";\n    el.textContent = render%s(%d);\n  },\n};\n", feature, files[1][1], 3+g.r.IntN(5))
		fmt.Fprintf(&index, "export const mount = feature.mount;\n")
		g.write(dir+"/index.ts", []byte(index.String()))
		g.modules++
		fmt.Fprintf(&main, "\n  .add({ path: \"/%s/\", load: () => import(\"./features/%s/index\") })", feature, feature)
	}
	main.WriteString(";\n\nexport function start(el: HTMLElement): Promise<void> {\n  return router.go(location.pathname, el);\n}\n")
	g.write("static/app/main.ts", []byte(main.String()))
	g.modules++
	g.write("assets.toml", []byte(`output = "out"

[[root]]
path = "static"

[bundle.app]
entry = "app/main.ts"
output = "js/app.js"
sourcemap = true
`))
	return filepath.Join(dir, "assets.toml"), g.modules
}

func BenchmarkEntryBundle(b *testing.B) {
	dir := b.TempDir()
	config, modules := writeEntryApp(dir)
	load := func(out string) *bundler.Project {
		p, err := bundler.Load(bundler.Options{Config: config, OutputDir: out})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}

	// Once, outside the timers: the build succeeds without a warning, and
	// makes the entry, a chunk per feature and shared chunks, so that no
	// benchmark below can be timing an error path.
	out := filepath.Join(dir, "out")
	res, err := load(out).Build(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Warnings) > 0 {
		b.Fatalf("warnings:\n%v", res.Warnings)
	}
	entry, ok := res.Manifest.Files["js/app.js"]
	if !ok {
		b.Fatal("no js/app.js in the manifest")
	}
	var scripts, styles, maps, images, fonts int
	for name, e := range res.Manifest.Files {
		switch {
		case e.Bundle == "app" && strings.HasSuffix(name, ".js"):
			scripts++
		case e.Bundle == "app" && strings.HasSuffix(name, ".css"):
			styles++
		case strings.HasSuffix(name, ".map"):
			maps++
		case strings.HasPrefix(name, "img/"):
			images++
		case strings.HasPrefix(name, "fonts/"):
			fonts++
		}
	}
	shared := scripts - 1 - len(entry.DynamicImports)
	if len(entry.DynamicImports) != entryFeatures || shared < 1 || images == 0 {
		b.Fatalf("%d scripts, %d of them loaded by import(), %d images: want the entry, %d features, shared chunks and images",
			scripts, len(entry.DynamicImports), images, entryFeatures)
	}
	b.Logf("%d files read (%d TypeScript modules), %.2f MB, make %d outputs, %.2f MB: %d scripts (the entry, %d features, %d shared chunks), %d stylesheets, %d source maps, %d images, %d fonts",
		res.Stats.Sources, modules, float64(res.Stats.BytesIn)/1e6, len(res.Outputs), float64(res.Stats.BytesOut)/1e6,
		scripts, len(entry.DynamicImports), shared, styles, maps, images, fonts)
	outputs := float64(len(res.Outputs))

	b.Run("check", func(b *testing.B) {
		b.SetBytes(res.Stats.BytesIn)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := load("").Check(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(outputs, "outputs")
	})
	b.Run("build-cold", func(b *testing.B) {
		outs := b.TempDir()
		b.SetBytes(res.Stats.BytesIn)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			res, err := load(filepath.Join(outs, fmt.Sprint(i))).Build(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if res.Stats.Unchanged != 0 {
				b.Fatalf("cold build found %d files in place", res.Stats.Unchanged)
			}
		}
		b.ReportMetric(outputs, "outputs")
	})
	b.Run("rebuild-unchanged", func(b *testing.B) {
		b.SetBytes(res.Stats.BytesIn)
		b.ReportAllocs()
		for b.Loop() {
			res, err := load(out).Build(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if res.Stats.Written != 0 {
				b.Fatalf("rebuild wrote %d files", res.Stats.Written)
			}
		}
		b.ReportMetric(outputs, "outputs")
	})
}

// BenchmarkBuildCompressed builds BenchmarkBuildCold's project cold twice
// over, as it is (none) and with [compress] at its defaults, gzip 9 and
// brotli 11, so that the ratio of the two is what precompression costs. Of
// its 729 outputs only the 20 bundles are of a type [compress] compresses
// (the rest are PNGs and woff2 fonts), 2.5 MB that brotli 11 takes about
// 2 s to compress on two cores: the tree needs no shrinking to keep an
// iteration to a few seconds.
func BenchmarkBuildCompressed(b *testing.B) {
	config, bytesIn := benchProject(b)
	plain, err := os.ReadFile(config)
	if err != nil {
		b.Fatal(err)
	}
	compressed := filepath.Join(filepath.Dir(config), "assets-compress.toml")
	if err := os.WriteFile(compressed, append(plain, "\n[compress]\n"...), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, config string }{{"none", config}, {"gzip9-brotli11", compressed}} {
		b.Run(c.name, func(b *testing.B) {
			outs := b.TempDir()
			b.SetBytes(bytesIn)
			b.ReportAllocs()
			var res *bundler.Result
			for i := 0; b.Loop(); i++ {
				p, err := bundler.Load(bundler.Options{Config: c.config, OutputDir: filepath.Join(outs, fmt.Sprint(i))})
				if err != nil {
					b.Fatal(err)
				}
				if res, err = p.Build(context.Background()); err != nil {
					b.Fatal(err)
				}
				if res.Stats.Unchanged != 0 || (c.config == compressed) != (res.Stats.Compressed > 0) {
					b.Fatalf("cold build found %d files in place and made %d compressed siblings", res.Stats.Unchanged, res.Stats.Compressed)
				}
			}
			b.ReportMetric(float64(res.Stats.Written), "files")
			b.ReportMetric(float64(res.Stats.Compressed), "siblings")
		})
	}
}
