package bundler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
)

// writeEntryApp writes a TypeScript app of features × modules modules: an
// entry that loads each feature with import(), each feature's modules
// importing one another and a shared library, and a stylesheet per
// feature with a font; the config bundles it as an entry.
func writeEntryApp(tb testing.TB, dir string, features, modules int) string {
	tb.Helper()
	write := func(name, data string) {
		p := filepath.Join(dir, "static", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	var entry strings.Builder
	entry.WriteString("import { log } from \"./lib/log\";\n")
	for i := range 10 {
		write(fmt.Sprintf("app/lib/util%d.ts", i), fmt.Sprintf(`export interface Point%d { x: number; y: number }
export enum Kind%d { A = %d, B, C }
export function util%d(p: Point%d, k: Kind%d = Kind%d.B): number {
  return p.x * %d + p.y - k;
}
`, i, i, i, i, i, i, i, i))
	}
	write("app/lib/log.ts", "export function log(...args: unknown[]): void { console.log(...args) }\n")
	write("fonts/app.woff2", "wOF2 stand-in")
	for f := range features {
		for m := range modules {
			var b strings.Builder
			fmt.Fprintf(&b, "import { util%d, Kind%d } from \"../lib/util%d\";\n", m%10, m%10, m%10)
			if m > 0 {
				fmt.Fprintf(&b, "import { run%d as prev } from \"./m%d\";\n", m-1, m-1)
			}
			fmt.Fprintf(&b, "export class Widget%d<T extends { id: number }> {\n  private items: T[] = [];\n", m)
			b.WriteString("  add(item: T): this { this.items.push(item); return this }\n")
			b.WriteString("  get size(): number { return this.items.length }\n}\n")
			fmt.Fprintf(&b, "export function run%d(n: number): number {\n  const w = new Widget%d<{ id: number }>();\n", m, m)
			b.WriteString("  for (let i = 0; i < n; i++) w.add({ id: i });\n")
			fmt.Fprintf(&b, "  return w.size + util%d({ x: n, y: %d }, Kind%d.C)", m%10, m, m%10)
			if m > 0 {
				b.WriteString(" + prev(n - 1)")
			}
			b.WriteString(";\n}\n")
			write(fmt.Sprintf("app/f%d/m%d.ts", f, m), b.String())
		}
		write(fmt.Sprintf("app/f%d/style.css", f), fmt.Sprintf(`@font-face { font-family: F%d; src: url(../../fonts/app.woff2) format("woff2") }
.feature-%d { font-family: F%d, sans-serif; margin: %dpx auto; color: #%06x }
`, f, f, f, f, f*4099))
		write(fmt.Sprintf("app/f%d/index.ts", f), fmt.Sprintf("import \"./style.css\";\nexport { run%d as start } from \"./m%d\";\n", modules-1, modules-1))
		fmt.Fprintf(&entry, "export const feature%d = () => import(\"./f%d/index\").then(m => log(m.start(3)));\n", f, f)
	}
	write("app/main.ts", entry.String())
	config := filepath.Join(dir, "assets.toml")
	if err := os.WriteFile(config, []byte("output = \"out\"\n[[root]]\npath = \"static\"\n[bundle.app]\nentry = \"app/main.ts\"\noutput = \"js/app.js\"\nsourcemap = true\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return config
}

// BenchmarkEntryBundle bundles a TypeScript app of 20 features of 15
// modules each (311 modules, 20 stylesheets) with esbuild, with source
// maps: a cold build into an empty directory, and a check in memory.
func BenchmarkEntryBundle(b *testing.B) {
	dir := b.TempDir()
	config := writeEntryApp(b, dir, 20, 15)
	p, err := bundler.Load(bundler.Options{Config: config})
	if err != nil {
		b.Fatal(err)
	}
	res, err := p.Check(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	chunks := 0
	for _, o := range res.Outputs {
		if o.Bundle == "app" && strings.HasSuffix(o.Name, ".js") {
			chunks++
		}
	}
	if chunks < 21 || len(res.Warnings) > 0 {
		b.Fatalf("%d scripts made, warnings %v: want the entry and a chunk per feature, and no warning", chunks, res.Warnings)
	}
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.Check(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(res.Outputs)), "outputs")
	})
	b.Run("build-cold", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p, err := bundler.Load(bundler.Options{Config: config, OutputDir: filepath.Join(dir, fmt.Sprintf("out%d", i))})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := p.Build(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
