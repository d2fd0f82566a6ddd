package bundler

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stapler-build/stapler/internal/testenv"
)

// The schema's tests hold schema/assets.schema.json, which editors read
// through Taplo (Even Better TOML), to the decoder and to docs/config.md:
// the same keys in every table, the same type for every key, every config
// of the repository that the decoder accepts valid under the schema, and
// wrong configs rejected by both.

const schemaFile = "../schema/assets.schema.json"

// schemaNode is the part of a JSON Schema that the tests read.
type schemaNode struct {
	Ref                  string                 `json:"$ref"`
	Type                 any                    `json:"type"`
	Enum                 []any                  `json:"enum"`
	Const                any                    `json:"const"`
	OneOf                []*schemaNode          `json:"oneOf"`
	Properties           map[string]*schemaNode `json:"properties"`
	AdditionalProperties any                    `json:"additionalProperties"`
	Items                *schemaNode            `json:"items"`
	Definitions          map[string]*schemaNode `json:"definitions"`
}

func loadSchema(t *testing.T) *schemaNode {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var s schemaNode
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("%s: %v", schemaFile, err)
	}
	return &s
}

// resolve follows n's $ref, within the schema's definitions.
func (s *schemaNode) resolve(n *schemaNode) *schemaNode {
	for n != nil && n.Ref != "" {
		n = s.Definitions[strings.TrimPrefix(n.Ref, "#/definitions/")]
	}
	return n
}

// tables returns the keys of each table the schema describes, named as
// configKeys names them: "" for the top level, "root" for [[root]],
// "bundle.*" for [bundle.NAME], "templates.pattern".
func (s *schemaNode) tables() map[string][]string {
	out := map[string][]string{}
	var walk func(name string, n *schemaNode)
	walk = func(name string, n *schemaNode) {
		out[name] = slices.Sorted(maps.Keys(n.Properties))
		for key, p := range n.Properties {
			sub := key
			if name != "" {
				sub = name + "." + key
			}
			p = s.resolve(p)
			if p.Items != nil { // an array of tables, [[root]]
				if it := s.resolve(p.Items); it.Properties != nil {
					walk(sub, it)
				}
			}
			if p.Properties != nil {
				walk(sub, p)
			}
			if ap, ok := p.AdditionalProperties.(map[string]any); ok && ap["$ref"] != nil { // [bundle.NAME]
				walk(sub+".*", s.resolve(&schemaNode{Ref: ap["$ref"].(string)}))
			}
		}
	}
	walk("", s)
	return out
}

// kind says what a key's schema accepts, in the words kindOfDoc gives a
// row of docs/config.md: "string", "boolean", "integer", "array", "table",
// "boolean or \"hidden\"", or an enumeration such as `"esm" or "iife"`.
func (s *schemaNode) kind(n *schemaNode) string {
	n = s.resolve(n)
	switch {
	case n == nil:
		return "missing"
	case n.Enum != nil:
		var vs []string
		for _, v := range n.Enum {
			vs = append(vs, fmt.Sprintf("%q", v))
		}
		return strings.Join(vs, " or ")
	case n.OneOf != nil:
		var ks []string
		for _, o := range n.OneOf {
			if o.Const != nil {
				ks = append(ks, fmt.Sprintf("%q", o.Const))
				continue
			}
			ks = append(ks, s.kind(o))
		}
		return strings.Join(ks, " or ")
	case n.Type == "object":
		return "table"
	case n.Type != nil:
		return n.Type.(string)
	}
	return "?"
}

// TestSchemaKeys checks that the schema has exactly the keys the decoder
// accepts, table by table, and that docs/config.md documents each with the
// type the schema gives it.
func TestSchemaKeys(t *testing.T) {
	s := loadSchema(t)
	decoded := configKeys()
	inSchema := s.tables()
	for _, table := range slices.Sorted(maps.Keys(decoded)) {
		if !slices.Equal(inSchema[table], decoded[table]) {
			t.Errorf("table %q: the decoder accepts %q, the schema has %q", table, decoded[table], inSchema[table])
		}
	}
	for table := range inSchema {
		if _, ok := decoded[table]; !ok {
			t.Errorf("the schema has a table %q (%q) that the decoder has not", table, inSchema[table])
		}
	}

	documented := docKeys(t)
	for _, table := range slices.Sorted(maps.Keys(decoded)) {
		if table == "templates.pattern" {
			continue // its one key, regex, is in the text of [templates]
		}
		doc, ok := documented[table]
		if !ok {
			t.Errorf("docs/config.md has no section for table %q", table)
			continue
		}
		if got := slices.Sorted(maps.Keys(doc)); !slices.Equal(got, decoded[table]) {
			t.Errorf("docs/config.md, table %q: documents %q, the decoder accepts %q", table, got, decoded[table])
		}
		for key, typ := range doc {
			n := schemaProperty(s, table, key)
			if n == nil {
				continue // reported above
			}
			if want, got := kindOfDoc(typ), s.kind(n); want != got {
				t.Errorf("%s: docs/config.md says %q (%s), the schema says %s", strings.TrimPrefix(table+"."+key, "."), typ, want, got)
			}
		}
	}
}

// schemaProperty returns the schema of key in table, named as tables
// names it.
func schemaProperty(s *schemaNode, table, key string) *schemaNode {
	n := s
	if table != "" {
		for _, part := range strings.Split(table, ".") {
			if part == "*" {
				ap, _ := n.AdditionalProperties.(map[string]any)
				ref, _ := ap["$ref"].(string)
				n = s.resolve(&schemaNode{Ref: ref})
				continue
			}
			n = s.resolve(n.Properties[part])
			if n != nil && n.Items != nil {
				n = s.resolve(n.Items)
			}
			if n == nil {
				return nil
			}
		}
	}
	return n.Properties[key]
}

var (
	docHeadingRE = regexp.MustCompile("(?m)^## (.*)$")
	docRowRE     = regexp.MustCompile("(?m)^\\| (`[^|]*) \\| ([^|]*) \\|")
	docKeyRE     = regexp.MustCompile("`([a-z_]+)`")
)

// docKeys returns the keys of each table that docs/config.md documents,
// with the type its table gives each.
func docKeys(t *testing.T) map[string]map[string]string {
	t.Helper()
	data, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	out := map[string]map[string]string{}
	headings := docHeadingRE.FindAllStringSubmatchIndex(doc, -1)
	for i, h := range headings {
		title := doc[h[2]:h[3]]
		table := strings.Trim(title, "`[]")
		switch {
		case title == "Top level":
			table = ""
		case strings.HasPrefix(title, "`["):
			table = strings.Replace(table, ".NAME", ".*", 1)
		default:
			continue
		}
		end := len(doc)
		if i+1 < len(headings) {
			end = headings[i+1][0]
		}
		keys := map[string]string{}
		for _, row := range docRowRE.FindAllStringSubmatch(doc[h[1]:end], -1) {
			for _, k := range docKeyRE.FindAllStringSubmatch(row[1], -1) {
				keys[k[1]] = strings.TrimSpace(row[2])
			}
		}
		out[table] = keys
	}
	return out
}

// kindOfDoc reads the type column of docs/config.md as kind describes a
// schema.
func kindOfDoc(typ string) string {
	typ = strings.ReplaceAll(typ, "`", "")
	switch {
	case typ == "string":
		return "string"
	case typ == "bool":
		return "boolean"
	case strings.HasPrefix(typ, "bool or "):
		return "boolean or " + strings.TrimPrefix(typ, "bool or ")
	case strings.HasPrefix(typ, "integer"):
		return "integer"
	case strings.HasPrefix(typ, "array"):
		return "array"
	case strings.HasPrefix(typ, "table"):
		return "table"
	case strings.HasPrefix(typ, `"`):
		// An enumeration: `"esm"` or `"iife"`; `"ignore"`, `"warn"` or `"error"`.
		return strings.ReplaceAll(typ, `", "`, `" or "`)
	}
	return "? " + typ
}

// repoConfigs returns every assets.toml of the repository that the
// decoder accepts without a word: the example project's and those in the
// golden and script archives. The others are meant to be wrong.
func repoConfigs(t *testing.T) (valid map[string][]byte, rejected int) {
	t.Helper()
	valid = map[string][]byte{}
	add := func(name string, data []byte) {
		top, diag := parseTOML(name, data)
		if diag != nil {
			rejected++
			return
		}
		var diags ErrorList
		decodeConfig(name, top, &diags)
		if len(diags) > 0 {
			rejected++
			return
		}
		valid[name] = data
	}
	data, err := os.ReadFile("../testdata/example/assets.toml")
	if err != nil {
		t.Fatal(err)
	}
	add("testdata/example/assets.toml", data)
	for _, dir := range []string{"golden", "script"} {
		archives, err := filepath.Glob(filepath.Join("..", "testdata", dir, "*.txtar"))
		if err != nil || len(archives) == 0 {
			t.Fatalf("no archives in testdata/%s (%v)", dir, err)
		}
		for _, file := range archives {
			a, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range a.Files {
				if strings.HasSuffix(f.Name, ".toml") {
					add(strings.TrimPrefix(file, "../")+"/"+f.Name, f.Data)
				}
			}
		}
	}
	return valid, rejected
}

// schemaValid holds configs that stapler accepts (warnings allowed) and that no config of
// the repository shows: the schema must take them too.
var schemaValid = map[string]string{
	"target-spaces-case": "output = \"o\"\ntarget = \"chrome90, Safari14.1\"\n[[root]]\npath = \"s\"\n[bundle.e]\nentry = \"e.ts\"\ntarget = \"ESNext\"\n",
	"target-empty":       "output = \"o\"\ntarget = \"\"\n[[root]]\npath = \"s\"\n",
	"globals-unicode":    "output = \"o\"\nglobals = [\"ñandú\", \"$\", \"_x1\"]\n[[root]]\npath = \"s\"\n",
	"entry-iife-hidden":  "output = \"o\"\nswitch = \"in-place\"\nsourcemap = \"hidden\"\n[[root]]\npath = \"s\"\n[bundle.e]\nentry = \"e.js\"\nformat = \"iife\"\nsourcemap = false\n",
	"wrap-js":            "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.w]\noutput = \"w.js\"\nsources = [\"a.js\"]\nwrap = true\npipeline = \"admin.base\"\n",
	"unwrapped-css":      "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.c]\noutput = \"c.css\"\nsources = [\"a.css\"]\nwrap = false\n",
	"compress-edges":     "output = \"o\"\n[[root]]\npath = \"s\"\n[compress]\ngzip_level = 1\nbrotli_level = 0\nzstd = true\nzstd_level = 4\ntypes = [\".css\", \".wasm\"]\n",
	"pattern-go-name":    "output = \"o\"\n[[root]]\npath = \"s\"\n[templates]\npaths = [\"t/*\"]\nfunctions = []\n[[templates.pattern]]\nregex = 'src=\"(?<name>[^\"]+)\"'\n",
	"inline-root":        "output = \"o\"\nroot = [{path = \"s\", prefix = \"p\", links_outside = true}]\n[manifest]\ndjango = true\ndjango_version = \"1.1\"\n",
	"publish":            "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nbucket = \"s3://static/site/v1/\"\nendpoint = \"http://127.0.0.1:8333\"\nregion = \"us-east-1\"\npath_style = true\nconcurrency = 256\n",
	"publish-aws":        "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nbucket = \"s3://my.static-bucket\"\nendpoint = \"https://s3.eu-west-1.amazonaws.com/\"\n",
	"cdn-url":            "output = \"o\"\nurl = \"https://cdn.example.com/static/\"\nkeep_unhashed = false\nstrict = true\nnode_modules = [\"node_modules\"]\n[[root]]\npath = \"s\"\n",
}

// TestSchemaValidatesRepoConfigs checks that every config of the
// repository that stapler accepts, and each of schemaValid, is valid under
// the schema, as Taplo reads it; and that a `#:schema` line, which Taplo
// and Even Better TOML read, is a comment to stapler.
func TestSchemaValidatesRepoConfigs(t *testing.T) {
	taplo := testenv.Taplo(t)
	valid, rejected := repoConfigs(t)
	if len(valid) < 50 {
		t.Fatalf("only %d valid configs in the repository (%d rejected): the search for them is broken", len(valid), rejected)
	}
	t.Logf("%d configs of the repository that stapler accepts, %d it rejects", len(valid), rejected)
	for name, doc := range schemaValid {
		top, diag := parseTOML(name, []byte(doc))
		if diag != nil {
			t.Fatalf("%s: %v", name, diag)
		}
		var diags ErrorList
		decodeConfig(name, top, &diags)
		if diags.Errors() > 0 {
			t.Errorf("%s: stapler rejects it:\n%v", name, diags.Error())
		}
		valid["schemaValid/"+name] = []byte(doc)
	}
	dir := t.TempDir()
	var files []string
	names := map[string]string{}
	for i, name := range slices.Sorted(maps.Keys(valid)) {
		file := filepath.Join(dir, fmt.Sprintf("c%03d.toml", i))
		if err := os.WriteFile(file, valid[name], 0o666); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
		names[file] = name
	}
	if bad := runTaplo(t, taplo, dir, files, true); len(bad) > 0 {
		for _, f := range bad {
			t.Errorf("%s: stapler accepts it, the schema does not", names[f])
		}
	}

	// The line an editor reads, with a path relative to the config.
	schema, err := filepath.Abs(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, schema)
	if err != nil {
		t.Fatal(err)
	}
	good := "#:schema " + filepath.ToSlash(rel) + "\noutput = \"o\"\n[[root]]\npath = \"s\"\n"
	bad := "#:schema " + filepath.ToSlash(rel) + "\noutput = \"o\"\n[[root]]\npath = \"s\"\nprefx = \"p\"\n"
	for _, doc := range []string{good, bad} {
		if _, diag := parseTOML("directive.toml", []byte(doc)); diag != nil {
			t.Fatalf("stapler does not read a config with a #:schema line: %v", diag)
		}
	}
	os.WriteFile(filepath.Join(dir, "directive-good.toml"), []byte(good), 0o666)
	os.WriteFile(filepath.Join(dir, "directive-bad.toml"), []byte(bad), 0o666)
	if got := runTaplo(t, taplo, dir, []string{filepath.Join(dir, "directive-good.toml"), filepath.Join(dir, "directive-bad.toml")}, false); !slices.Equal(got, []string{filepath.Join(dir, "directive-bad.toml")}) {
		t.Errorf("with the #:schema line and no --schema, Taplo rejects %q, want only directive-bad.toml", got)
	}
}

// schemaInvalid holds configs that break a rule of docs/config.md that
// the schema can say, each with the code stapler reports it with. What the
// schema cannot say is left to stapler: that a glob is valid, that a
// target names engines esbuild knows, that a regex compiles, that
// gzip_level = 6.0 is a float (JSON Schema counts 6.0 an integer).
var schemaInvalid = []struct{ name, code, doc string }{
	{"no-output", CodeMissing, "[[root]]\npath = \"s\"\n"},
	{"empty-output", CodeBadValue, "output = \"\"\n[[root]]\npath = \"s\"\n"},
	{"no-root", CodeMissing, "output = \"o\"\n"},
	{"url-no-slash", CodeBadValue, "output = \"o\"\nurl = \"/static\"\n[[root]]\npath = \"s\"\n"},
	{"switch-unknown", CodeBadValue, "output = \"o\"\nswitch = \"atomic\"\n[[root]]\npath = \"s\"\n"},
	{"sourcemap-word", CodeBadValue, "output = \"o\"\nsourcemap = \"inline\"\n[[root]]\npath = \"s\"\n"},
	{"target-no-version", CodeBadValue, "output = \"o\"\ntarget = \"chrome\"\n[[root]]\npath = \"s\"\n"},
	{"global-not-a-name", CodeBadValue, "output = \"o\"\nglobals = [\"jQuery\", \"1x\"]\n[[root]]\npath = \"s\"\n"},
	{"root-no-path", CodeMissing, "output = \"o\"\n[[root]]\nprefix = \"p\"\n"},
	{"root-empty-path", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"\"\n"},
	{"bundle-name", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.\"a b\"]\noutput = \"a.js\"\nsources = [\"a.js\"]\n"},
	{"bundle-entry-and-sources", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\nentry = \"a.ts\"\nsources = [\"a.js\"]\n"},
	{"bundle-neither", CodeMissing, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.js\"\n"},
	{"bundle-no-output", CodeMissing, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\nsources = [\"a.js\"]\n"},
	{"bundle-empty-entry", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\nentry = \"\"\n"},
	{"sources-with-target", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.js\"\nsources = [\"a.js\"]\ntarget = \"es2018\"\n"},
	{"sources-with-format", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.js\"\nsources = [\"a.js\"]\nformat = \"esm\"\n"},
	{"format-unknown", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\nentry = \"a.ts\"\nformat = \"cjs\"\n"},
	{"entry-wrapped", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\nentry = \"a.ts\"\nwrap = true\n"},
	{"stylesheet-wrapped", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.css\"\nsources = [\"a.css\"]\nwrap = true\n"},
	{"pipeline-space", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.js\"\nsources = [\"a.js\"]\npipeline = \"a b\"\n"},
	{"pipeline-empty", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.js\"\nsources = [\"a.js\"]\npipeline = \"\"\n"},
	{"unused-unknown", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[collect]\nunused = \"fail\"\n"},
	{"gzip-level-high", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[compress]\ngzip_level = 10\n"},
	{"brotli-level-low", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[compress]\nbrotli_level = -1\n"},
	{"zstd-level-high", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[compress]\nzstd_level = 5\n"},
	{"type-no-dot", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[compress]\ntypes = [\"css\"]\n"},
	{"type-slash", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[compress]\ntypes = [\".a/b\"]\n"},
	{"templates-no-paths", CodeMissing, "output = \"o\"\n[[root]]\npath = \"s\"\n[templates]\nfunctions = [\"asset\"]\n"},
	{"function-not-a-name", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[templates]\npaths = [\"t/*\"]\nfunctions = [\"static-url\"]\n"},
	{"regex-no-name", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[templates]\npaths = [\"t/*\"]\n[[templates.pattern]]\nregex = 'src=\"([^\"]+)\"'\n"},
	{"django-version", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[manifest]\ndjango_version = \"2.0\"\n"},
	{"django-version-float", CodeType, "output = \"o\"\n[[root]]\npath = \"s\"\n[manifest]\ndjango_version = 1.1\n"},
	{"publish-secret", CodeCredentialsInConfig, "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nbucket = \"s3://static/\"\nsecret_access_key = \"x\"\n"},
	{"publish-endpoint-user", CodeCredentialsInConfig, "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nendpoint = \"https://key:secret@s3.example.com\"\n"},
	{"publish-not-s3", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nbucket = \"https://static.s3.amazonaws.com/\"\n"},
	{"publish-prefix-no-slash", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nbucket = \"s3://static/site\"\n"},
	{"publish-endpoint-path", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nendpoint = \"http://127.0.0.1:8333/static\"\n"},
	{"publish-concurrency-zero", CodeBadValue, "output = \"o\"\n[[root]]\npath = \"s\"\n[publish]\nconcurrency = 0\n"},
}

// mutations returns configs, each the base config with one key of one
// table set to a value of a wrong type, or one unknown key added: for
// every key and table the decoder knows. Each comes with the line of the
// value that stapler must report.
func mutations(t *testing.T, s *schemaNode) (names []string, docs map[string]string, lines map[string]int) {
	t.Helper()
	// The base: every table, in the order of configKeys, each a list of
	// lines; the bundle "b" has sources, "e" an entry.
	type table struct{ header, name string }
	base := []struct {
		table
		body []string
	}{
		{table{"", ""}, []string{`output = "o"`}},
		{table{"[[root]]", "root"}, []string{`path = "s"`}},
		{table{"[bundle.b]", "bundle.*"}, []string{`output = "b.js"`, `sources = ["b.js"]`}},
		{table{"[bundle.e]", "bundle.e"}, []string{`entry = "e.ts"`}},
		{table{"[collect]", "collect"}, nil},
		{table{"[references]", "references"}, nil},
		{table{"[compress]", "compress"}, nil},
		{table{"[templates]", "templates"}, []string{`paths = ["t/*"]`}},
		{table{"[[templates.pattern]]", "templates.pattern"}, []string{`regex = '(?P<name>x)'`}},
		{table{"[manifest]", "manifest"}, nil},
		{table{"[publish]", "publish"}, nil},
	}
	docs, lines = map[string]string{}, map[string]int{}
	// render writes the base with line set in table, dropping the tables
	// named drop (a table set to a non-table), and returns the line's
	// number.
	render := func(in, key, line string, drop string) (string, int) {
		var b strings.Builder
		n, at := 0, 0
		write := func(l string) { b.WriteString(l + "\n"); n++ }
		for _, tb := range base {
			if drop != "" && (tb.name == drop || strings.HasPrefix(tb.name, drop+".") || drop == "bundle" && strings.HasPrefix(tb.name, "bundle.")) {
				continue
			}
			if tb.header != "" {
				write(tb.header)
			}
			set := tb.name == in
			for _, l := range tb.body {
				if set && strings.HasPrefix(l, key+" = ") {
					continue
				}
				write(l)
			}
			if set {
				write(line)
				at = n
			}
		}
		return b.String(), at
	}
	add := func(name, doc string, line int) {
		names = append(names, name)
		docs[name], lines[name] = doc, line
	}
	keys := configKeys()
	for _, tname := range slices.Sorted(maps.Keys(keys)) {
		in := tname
		doc, line := render(in, "", "stapler_unknown_key = 1", "")
		add(fmt.Sprintf("unknown key in %q", tname), doc, line)
		for _, key := range keys[tname] {
			if tname == "bundle.*" && (key == "entry" || key == "format" || key == "target") {
				in = "bundle.e"
			} else {
				in = tname
			}
			full := strings.TrimPrefix(tname+"."+key, ".")
			drop := ""
			kind := s.kind(schemaProperty(s, tname, key))
			if kind == "table" || kind == "array" && (full == "root" || full == "templates.pattern") {
				drop = full
			}
			var wrong []string
			switch kind {
			case "string":
				wrong = []string{"1"}
			case "boolean":
				wrong = []string{`"yes"`}
			case "integer":
				wrong = []string{`"9"`}
			case "array":
				wrong = []string{`"x"`, `[1]`}
			case "table":
				wrong = []string{`1`}
			default: // an enumeration, or true, false or "hidden"
				wrong = []string{`1`, `"nope"`}
			}
			for _, w := range wrong {
				doc, line := render(in, key, key+" = "+w, drop)
				add(fmt.Sprintf("%s = %s", full, w), doc, line)
			}
		}
	}
	return names, docs, lines
}

// TestSchemaRejects checks that each config of schemaInvalid, and each
// mutation of a valid config (a wrong type for every key, an unknown key
// in every table), is rejected by stapler, with the code expected and at
// the value changed, and by the schema.
func TestSchemaRejects(t *testing.T) {
	taplo := testenv.Taplo(t)
	s := loadSchema(t)
	names, docs, lines := mutations(t, s)
	codes := map[string]string{}
	for _, c := range schemaInvalid {
		names = append(names, c.name)
		docs[c.name], codes[c.name] = c.doc, c.code
	}
	dir := t.TempDir()
	var files []string
	names2files := map[string]string{}
	for i, name := range names {
		doc := docs[name]
		top, diag := parseTOML(name, []byte(doc))
		if diag != nil {
			t.Fatalf("%s: %v\n%s", name, diag, doc)
		}
		var diags ErrorList
		decodeConfig(name, top, &diags)
		ok := false
		for _, d := range diags {
			switch {
			case codes[name] != "":
				ok = ok || d.Code == codes[name]
			case strings.HasPrefix(name, "unknown key"):
				ok = ok || d.Code == CodeUnknownKey && d.Pos.Line == lines[name]
			default:
				ok = ok || (d.Code == CodeType || d.Code == CodeBadValue) && d.Pos.Line == lines[name]
			}
		}
		if !ok {
			t.Errorf("%s: stapler does not reject it as expected; it says:\n%s\n%s", name, diags.Error(), doc)
		}
		file := filepath.Join(dir, fmt.Sprintf("w%03d.toml", i))
		if err := os.WriteFile(file, []byte(doc), 0o666); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
		names2files[name] = file
	}
	invalid := runTaplo(t, taplo, dir, files, false)
	for _, name := range names {
		if !slices.Contains(invalid, names2files[name]) {
			t.Errorf("%s: the schema accepts it:\n%s", name, docs[name])
		}
	}
	t.Logf("%d wrong configs, rejected by both", len(names))
}

var taploInvalidRE = regexp.MustCompile(`invalid file error=.* path="([^"]+)"`)

// runTaplo runs `taplo check` on files, with the schema unless the files
// name it themselves, and returns the files it finds invalid. It fails the
// test if Taplo fails for any other reason, or, when allValid, if any file
// is invalid.
func runTaplo(t *testing.T, taplo, dir string, files []string, allValid bool) []string {
	t.Helper()
	schema, err := filepath.Abs(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"check", "--no-auto-config", "--colors", "never"}
	if !strings.Contains(filepath.Base(files[0]), "directive") {
		args = append(args, "--schema", "file://"+filepath.ToSlash(schema))
	}
	cmd := exec.Command(taplo, append(args, files...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var invalid []string
	for _, m := range taploInvalidRE.FindAllStringSubmatch(string(out), -1) {
		invalid = append(invalid, m[1])
	}
	slices.Sort(invalid)
	switch {
	case err == nil && len(invalid) == 0:
	case err != nil && len(invalid) > 0 && !allValid:
	default:
		t.Fatalf("taplo check: %v, %d invalid files:\n%s", err, len(invalid), out)
	}
	return invalid
}
