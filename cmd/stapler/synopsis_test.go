package main

import (
	"bytes"
	"flag"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSynopsis holds the command's manual (doc.go) and `stapler help` to
// the flag sets the commands parse: each synopsis line lists exactly the
// flags of its command's set, doc.go's reads as help prints it, both list
// every command and no other, and doc.go's # Flags section describes
// every flag there is and no other. A flag added to a command without its
// line in doc.go fails here, not in a user's hands.
func TestSynopsis(t *testing.T) {
	doc := packageDoc(t)
	docLines := synopsisLines(t, "doc.go", section(t, doc, "Synopsis"), "\t")
	var out, errOut bytes.Buffer
	if code := run([]string{"help"}, &out, &errOut); code != exitOK {
		t.Fatalf("stapler help: exit %d, stderr %q", code, errOut.String())
	}
	_, help, ok := strings.Cut(out.String(), "\nsynopsis:\n")
	if !ok {
		t.Fatalf("stapler help prints no synopsis:\n%s", out.String())
	}
	helpLines := synopsisLines(t, "stapler help", help, "  ")

	var names []string
	allFlags := map[string]bool{}
	for _, c := range commands {
		names = append(names, c.name)
		fl, _ := newFlagSet(c.name, io.Discard)
		want := flagSetNames(fl)
		for _, f := range want {
			allFlags[f] = true
		}
		for _, in := range []struct {
			where string
			lines map[string]string
		}{{"doc.go", docLines}, {"stapler help", helpLines}} {
			line, ok := in.lines[c.name]
			if !ok {
				t.Errorf("%s: no synopsis of %s", in.where, c.name)
				continue
			}
			if got := synopsisFlags(line); !slices.Equal(got, want) {
				t.Errorf("%s: the synopsis of %s lists flags %q; its flag set has %q\n\t%s", in.where, c.name, got, want, line)
			}
		}
		if got, want := strings.Join(strings.Fields(docLines[c.name]), " "), synopsis(c.name); docLines[c.name] != "" && got != want {
			t.Errorf("doc.go: the synopsis of %s reads\n\t%s\nwant, as stapler help prints it,\n\t%s", c.name, got, want)
		}
		// Every command help lists is one run knows.
		var stderr bytes.Buffer
		run([]string{c.name, "-h"}, io.Discard, &stderr)
		if strings.Contains(stderr.String(), "unknown command") {
			t.Errorf("stapler help lists %s, which stapler does not know", c.name)
		}
	}
	for where, lines := range map[string]map[string]string{"doc.go": docLines, "stapler help": helpLines} {
		if got := slices.Sorted(maps.Keys(lines)); !slices.Equal(got, slices.Sorted(slices.Values(names))) {
			t.Errorf("%s: synopses of %q; the commands are %q", where, got, names)
		}
	}

	// The # Flags section: one line per flag, "-x" or "--long" at its start.
	described := map[string]bool{}
	for _, l := range strings.Split(section(t, doc, "Flags"), "\n") {
		if m := regexp.MustCompile(`^\t(--?[a-z][a-z-]*)`).FindStringSubmatch(l); m != nil {
			described[m[1]] = true
		}
	}
	for f := range allFlags {
		if !described[f] {
			t.Errorf("doc.go: # Flags does not describe %s", f)
		}
	}
	for f := range described {
		if !allFlags[f] {
			t.Errorf("doc.go: # Flags describes %s, which no command has", f)
		}
	}
}

// packageDoc returns the package comment of doc.go, as go doc shows it.
func packageDoc(t *testing.T) string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("doc.go has no package comment")
	}
	return f.Doc.Text()
}

// section returns the text under the heading "# name", up to the next.
func section(t *testing.T, doc, name string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "\n# "+name+"\n")
	if !ok {
		t.Fatalf("doc.go has no # %s section", name)
	}
	if i := strings.Index(rest, "\n# "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// synopsisLines returns the lines of text that start with indent and
// "stapler CMD", by command.
func synopsisLines(t *testing.T, where, text, indent string) map[string]string {
	t.Helper()
	lines := map[string]string{}
	for _, l := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(l, indent+"stapler ")
		if !ok {
			continue
		}
		cmd, _, _ := strings.Cut(rest, " ")
		if _, dup := lines[cmd]; dup {
			t.Errorf("%s: two synopses of %s", where, cmd)
		}
		lines[cmd] = strings.TrimPrefix(l, indent)
	}
	return lines
}

// synopsisFlags returns the flags a synopsis line lists, "[-c file]" as
// "-c", sorted.
func synopsisFlags(line string) []string {
	var flags []string
	for _, m := range regexp.MustCompile(`\[(--?[a-z][a-z-]*)`).FindAllStringSubmatch(line, -1) {
		flags = append(flags, m[1])
	}
	slices.Sort(flags)
	return flags
}

// flagSetNames returns a flag set's flags as the synopses write them: one
// dash before a one-letter name, two before a longer one; sorted.
func flagSetNames(fl *flag.FlagSet) []string {
	var names []string
	fl.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 {
			names = append(names, "-"+f.Name)
		} else {
			names = append(names, "--"+f.Name)
		}
	})
	slices.Sort(names)
	return names
}
