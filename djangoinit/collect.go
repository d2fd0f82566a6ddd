package djangoinit

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stapler-build/stapler/finders"
)

// ignorePattern is a pattern of collectstatic's, with where it came from.
type ignorePattern struct{ pattern, from string }

// renderCollect writes [collect], with the project's ignore patterns as
// stapler's excludes, and checks the names it collects against those
// collectstatic would copy.
func (p *project) renderCollect(w *writer, s *settings, roots []root) {
	w.line("")
	w.comment("Every file of the roots too, under its hashed name, as collectstatic copies them.")
	w.line("[collect]")
	defaults, wanted := ignorePatterns(w, s)
	files, err := p.finder(roots).Files()
	if err != nil {
		w.note(fmt.Sprintf("the roots could not be read: %v", err))
		return
	}
	lines, active := excludeLines(files, defaults, wanted)
	lines = append(lines, compareCollected(w, s, files, active)...)
	if len(lines) > 0 {
		w.line("exclude = [")
		for _, l := range lines {
			w.line("%s", l)
		}
		w.line("]")
	}
}

// ignorePatterns writes default_excludes, and returns it and the other
// patterns collectstatic applies: the staticfiles app's and the finders'
// own.
func ignorePatterns(w *writer, s *settings) (defaults bool, wanted []ignorePattern) {
	ignore := djangoIgnore
	source := "Django's defaults"
	if s.IgnorePatterns != nil {
		ignore = *s.IgnorePatterns
		source = s.StaticfilesApp + ".ignore_patterns"
	} else {
		w.note("django.contrib.staticfiles is not in INSTALLED_APPS: Django's default ignore patterns are assumed")
	}
	var patterns []string // as collectstatic takes them: os.path.normpath'd
	for _, pat := range ignore {
		patterns = append(patterns, path.Clean(filepath.ToSlash(pat)))
	}
	defaults = true
	for _, d := range djangoIgnore {
		defaults = defaults && slices.Contains(patterns, d)
	}
	for _, pat := range patterns {
		if !defaults || !slices.Contains(djangoIgnore, pat) {
			wanted = append(wanted, ignorePattern{pat, source})
		}
	}
	for _, f := range s.Finders {
		for _, pat := range f.IgnorePatterns {
			wanted = append(wanted, ignorePattern{path.Clean(pat), f.Path + "'s own ignore_patterns"})
		}
	}
	if defaults {
		w.comment(fmt.Sprintf("Django's default ignore patterns, CVS, .* and *~, which %s keeps", source))
		w.line("default_excludes = true")
	} else {
		w.comment(fmt.Sprintf("%s leaves out some of Django's default ignore patterns (CVS, .*, *~):\nthose it keeps are below", source))
		w.line("default_excludes = false")
	}
	return defaults, wanted
}

// excludeLines returns the lines of exclude for the wanted patterns, and
// the patterns in force: those stapler takes that exclude a file of the
// roots (stapler reports one that excludes none, pattern-unused), and
// Django's defaults when they are on.
func excludeLines(files []finders.File, defaults bool, wanted []ignorePattern) (lines, active []string) {
	if defaults {
		active = slices.Clone(djangoIgnore)
	}
	seen := map[string]bool{}
	for _, e := range wanted {
		pat := literalBraces(e.pattern)
		if seen[pat] {
			continue
		}
		seen[pat] = true
		switch {
		case strings.ContainsRune(pat, '\\'):
			lines = append(lines, fmt.Sprintf("  # %s (%s): a backslash, which stapler's patterns do not take; write it with [] classes", quote(e.pattern), comment(e.from)))
			continue
		case strings.HasPrefix(pat, "/"):
			lines = append(lines, fmt.Sprintf("  # %s (%s): an absolute pattern, which matches no name", quote(e.pattern), comment(e.from)))
			continue
		}
		if !slices.ContainsFunc(files, func(f finders.File) bool { return finders.ExcludedBy(f.Name, []string{pat}) != "" }) {
			lines = append(lines, fmt.Sprintf("  # %s, from %s: excludes no file of the roots today,\n  # which stapler reports (pattern-unused); uncomment it when it does", quote(pat), comment(e.from)))
			continue
		}
		active = append(active, pat)
		lines = append(lines, fmt.Sprintf("  %s,  # %s", quote(pat), comment(e.from)))
	}
	return lines, active
}

// compareCollected holds the names stapler would collect to those
// collectstatic copies, as Django's own finders listed them. Django's
// patterns are fnmatch's, whose * crosses a /, matched without the
// root's prefix; a finder may have patterns of its own. A file
// collectstatic leaves out and stapler would not is excluded by name
// (the lines returned), unless there are many or its name would exclude
// other files too; a file collectstatic copies and stapler would not is
// a note.
func compareCollected(w *writer, s *settings, files []finders.File, active []string) (lines []string) {
	if s.Collected == nil {
		if s.CollectError != "" {
			w.note("Django's finders could not list their files: " + s.CollectError)
		}
		return nil
	}
	var mine []string
	for _, f := range files {
		// A name that is not UTF-8 is no exclude's to hide: the build
		// reports it (bad-name), and Collected leaves it out.
		if utf8.ValidString(f.Name) && finders.ExcludedBy(f.Name, active) == "" {
			mine = append(mine, f.Name)
		}
	}
	theirs := *s.Collected
	if s.CollectedNotUTF8 > 0 {
		w.note(fmt.Sprintf("collectstatic would copy %d file%s whose name is not valid UTF-8: stapler build reports each (bad-name); rename them", s.CollectedNotUTF8, plural(s.CollectedNotUTF8)))
	}
	var more, fewer []string // stapler collects and collectstatic does not; the other way
	for _, n := range mine {
		if _, ok := slices.BinarySearch(theirs, n); !ok {
			more = append(more, n)
		}
	}
	for _, n := range theirs {
		if _, ok := slices.BinarySearch(mine, n); !ok {
			fewer = append(fewer, n)
		}
	}
	// A name as a pattern matches the name, what is below it and, with
	// no slash, every element so named: it must exclude that file alone.
	var byName, left []string
	for _, n := range more {
		pat := literalPath(n)
		if slices.ContainsFunc(mine, func(m string) bool { return m != n && finders.ExcludedBy(m, []string{pat}) != "" }) {
			left = append(left, n)
			continue
		}
		byName = append(byName, pat)
	}
	const most = 50
	if len(byName) > most {
		left, byName = more, nil
	}
	if len(byName) > 0 {
		lines = append(lines, "  # Files collectstatic leaves out by its patterns' rules, which differ from stapler's",
			"  # (an fnmatch * crosses a /; a pattern is matched without the root's prefix):")
		for _, pat := range byName {
			lines = append(lines, fmt.Sprintf("  %s,", quote(pat)))
		}
	}
	if len(left) > 0 {
		w.note(fmt.Sprintf("stapler collects %d file%s that collectstatic leaves out (%s): its ignore patterns' rules differ from stapler's; exclude them", len(left), plural(len(left)), strings.Join(left[:min(len(left), 5)], ", ")))
	}
	if len(fewer) > 0 {
		w.note(fmt.Sprintf("collectstatic copies %d file%s that stapler does not (%s): from a finder with no counterpart, or left out by stapler's rule for a pattern; see docs/init.md", len(fewer), plural(len(fewer)), strings.Join(fewer[:min(len(fewer), 5)], ", ")))
	}
	return lines
}

// finder returns a finder over the roots, as stapler makes it.
func (p *project) finder(roots []root) *finders.Finder {
	var rs []finders.Root
	for _, r := range roots {
		rs = append(rs, finders.Root{FS: os.DirFS(r.path), Prefix: r.prefix, Dir: r.path})
	}
	return finders.New(rs...)
}

// literalBraces escapes what an fnmatch pattern holds as literal text and
// doublestar does not: "{" and "}" delimit a list of alternatives there.
func literalBraces(pat string) string {
	return strings.NewReplacer("{", "[{]", "}", "[}]").Replace(pat)
}
