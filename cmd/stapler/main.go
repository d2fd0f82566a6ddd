package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/publish"
)

// Exit statuses.
const (
	exitOK       = 0
	exitProblems = 1 // the project has problems: every one was reported
	exitFailed   = 2 // stapler could not run: flags, config unreadable, I/O
)

func main() {
	cmd := ""
	if len(os.Args) > 1 {
		cmd = os.Args[1]
	}
	if buildsFiles(cmd) {
		hugeHeap()
	}
	// watch runs on, building again and again: a heap let grow to
	// gcFloor between builds would stay that size while it waits, so it
	// keeps Go's own rule.
	if cmd != "watch" {
		tunedGC()
	}
	os.Exit(profiled(func() int { return run(os.Args[1:], os.Stdout, os.Stderr) }))
}

// buildsFiles reports whether cmd reads and makes a project's files,
// with a heap worth hugeHeap's start (a few ms).
func buildsFiles(cmd string) bool {
	return cmd == "build" || cmd == "check" || cmd == "watch"
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, helpText())
		return exitFailed
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "build", "check":
		return runBuild(cmd, args, stdout, stderr)
	case "find":
		return runFind(args, stdout, stderr)
	case "init":
		return runInit(args, stdout, stderr)
	case "prune":
		return runPrune(args, stdout, stderr)
	case "publish":
		return runPublish(args, stdout, stderr)
	case "verify":
		return runVerify(args, stdout, stderr)
	case "watch":
		return runWatch(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "stapler", version())
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, helpText())
		return exitOK
	}
	names := []string{"help"}
	for _, c := range commands {
		names = append(names, c.name)
	}
	fmt.Fprintf(stderr, "stapler: unknown command %q%s\n%s", cmd, didYouMean(bundler.Nearest(cmd, names)), helpText())
	return exitFailed
}

// didYouMean returns "; did you mean "x"?" for the names suggested, or "".
func didYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return "; did you mean " + strings.Join(q, " or ") + "?"
}

// parseArgs parses a command's flags wherever they are among its
// arguments, as most commands do (stapler verify DIR --format=json), and
// returns the other arguments; after "--", every argument is one.
func parseArgs(fl *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fl.Parse(args); err != nil {
			return nil, err
		}
		rest := fl.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// setup parses a command's arguments and makes its printer. When either
// fails it has said why, on stdout too when the format asked for was
// read (--format=json then an unknown flag), and returns ok false.
func setup(cmd string, args []string, stdout, stderr io.Writer) (fl *flag.FlagSet, f *cmdFlags, positional []string, pr *printer, ok bool) {
	fl, f = newFlagSet(cmd, stderr)
	positional, err := parseArgs(fl, args)
	format := "text"
	if f.format != nil {
		format = *f.format
	}
	pr, perr := newPrinter(format, stdout, stderr, f.verbose != nil && *f.verbose)
	switch {
	case err != nil:
		// The flag package has said why on stderr.
		if perr == nil && !errors.Is(err, flag.ErrHelp) {
			pr.machineFailure(err.Error())
		}
		return nil, nil, nil, nil, false
	case perr != nil:
		fmt.Fprintf(stderr, "stapler %s: %v\n", cmd, perr)
		return nil, nil, nil, nil, false
	}
	return fl, f, positional, pr, true
}

// versionStamp is the version packaging/build.sh writes into the binaries
// it packages (-ldflags=-X main.versionStamp=v…): it builds with
// -buildvcs=false, so that the same commit gives the same bytes, and Go
// then stamps no version of its own.
var versionStamp string

func version() string {
	if versionStamp != "" {
		return versionStamp
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func runBuild(cmd string, args []string, stdout, stderr io.Writer) int {
	_, f, positional, pr, ok := setup(cmd, args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	config, verbose, quiet, against := f.config, f.verbose, f.quiet, f.against
	if len(positional) > 0 {
		return pr.fail("stapler %s: unexpected argument %q", cmd, positional[0])
	}

	start := time.Now()
	// One build, then the process exits: the record may stay mapped.
	opts := bundler.Options{Config: *config, Waiting: waiting(cmd, stderr), Cache: !*f.noCache, MapFiles: true, Strict: *f.strict, Unused: f.unused != nil && *f.unused}
	bar := newProgressLine(stderr, *quiet)
	if bar != nil {
		opts.Progress = bar.update
	}
	p, err := bundler.Load(opts)
	if err != nil {
		return pr.fail("stapler %s: %v", cmd, err)
	}
	var res *bundler.Result
	switch {
	case cmd == "build":
		res, err = p.Build(context.Background())
	case *against != "":
		res, err = bundler.Verify(context.Background(), *against, p)
	default:
		res, err = p.Check(context.Background())
	}
	bar.clear()
	var list bundler.ErrorList
	switch {
	case errors.As(err, &list):
		pr.diagnostics(list)
		return exitProblems
	case err != nil:
		return pr.fail("stapler %s: %v", cmd, err)
	}
	pr.diagnostics(res.Warnings)
	if f.unused != nil && *f.unused {
		unusedSummary(stderr, res.Unused)
	}
	if *quiet {
		return exitOK
	}
	if *verbose {
		for _, o := range res.Outputs {
			fmt.Fprintf(stderr, "  %s → %s (%s)\n", oneLine(o.Name), oneLine(o.Path), size(o.Size()))
		}
		if s := res.Stats; s.Cached > 0 {
			fmt.Fprintf(stderr, "  the build cache showed %d of the %d files unchanged: not read\n", s.Cached, s.Sources)
		}
	}
	s := res.Stats
	fmt.Fprintf(stderr, "stapler %s: %d bundle%s, ", cmd, s.Bundles, plural(s.Bundles))
	if p.Collects() {
		fmt.Fprintf(stderr, "%d collected, ", s.Collected)
	}
	// The files the build used, read or shown unchanged by the build
	// cache: what the cache spared depends on the files' age, and -v says
	// it, so that this line is the same from one run to the next.
	fmt.Fprintf(stderr, "%d file%s read, %s → %s in %s", s.Sources, plural(s.Sources),
		size(s.BytesIn), size(s.BytesOut), time.Since(start).Round(time.Millisecond))
	if cmd == "build" {
		fmt.Fprintf(stderr, " (%d written, %d unchanged", s.Written, s.Unchanged)
		if s.Compressed > 0 {
			fmt.Fprintf(stderr, ", %d compressed", s.Compressed)
		}
		fmt.Fprint(stderr, ")")
	}
	if s.Templates > 0 {
		fmt.Fprintf(stderr, "; %d template reference%s checked in %d file%s", s.TemplateRefs, plural(s.TemplateRefs), s.Templates, plural(s.Templates))
		if s.TemplateSkipped > 0 {
			fmt.Fprintf(stderr, ", %d skipped (built from variables)", s.TemplateSkipped)
		}
	}
	fmt.Fprintln(stderr)
	return exitOK
}

func runFind(args []string, stdout, stderr io.Writer) int {
	_, f, positional, _, ok := setup("find", args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	config, verbose := f.config, f.verbose
	if len(positional) == 0 {
		fmt.Fprintln(stderr, "usage:", synopsis("find"))
		return exitFailed
	}
	p, err := bundler.Load(bundler.Options{Config: *config})
	if err != nil {
		fmt.Fprintf(stderr, "stapler find: %v\n", err)
		return exitFailed
	}
	status := exitOK
	for _, name := range positional {
		f, hidden, err := p.Finder().Find(name)
		if msg, ok := bundler.FindMessage(name, err); ok {
			fmt.Fprintf(stderr, "stapler find: %s\n", oneLine(msg))
			if *verbose && errors.Is(err, finders.ErrNotFound) {
				for _, n := range p.Searched() {
					fmt.Fprintf(stderr, "\t%s\n", oneLine(n))
				}
			}
			status = exitProblems
			continue
		}
		if err != nil {
			fmt.Fprintf(stderr, "stapler find: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "%s: %s\n", oneLine(name), oneLine(relPath(p.FilePath(f))))
		for _, h := range hidden {
			fmt.Fprintf(stdout, "  hides %s\n", oneLine(relPath(p.FilePath(h))))
		}
	}
	return status
}

func runPrune(args []string, stdout, stderr io.Writer) int {
	_, f, positional, _, ok := setup("prune", args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	config, keep, minAge, dryRun, verbose := f.config, f.keep, f.minAge, f.dryRun, f.verbose
	if *keep < 1 || *minAge < 0 || len(positional) > 1 {
		fmt.Fprintln(stderr, "usage:", synopsis("prune"), "(N ≥ 1, D ≥ 0)")
		return exitFailed
	}
	var dir string
	if len(positional) == 1 {
		dir = positional[0]
	}
	age := *minAge
	if age == 0 {
		age = -1 // PruneOptions' zero means its default
	}
	popts := bundler.PruneOptions{Keep: *keep, MinAge: age, DryRun: *dryRun, Waiting: waiting("prune", stderr)}
	var res *bundler.PruneResult
	if isBucket(dir) {
		t, err := bucketTarget(dir, *config, explicitFlag(args, "c"))
		if err != nil {
			fmt.Fprintf(stderr, "stapler prune: %v\n", err)
			return exitFailed
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if res, err = publish.Prune(ctx, t, popts); err != nil {
			fmt.Fprintf(stderr, "stapler %v\n", err)
			return exitFailed
		}
		return pruned(res, *verbose, *dryRun, stdout, stderr)
	}
	if dir == "" {
		p, err := bundler.Load(bundler.Options{Config: *config})
		if err != nil {
			fmt.Fprintf(stderr, "stapler prune: %v\n", err)
			return exitFailed
		}
		if dir = p.OutputDir(); dir == "" {
			fmt.Fprintf(stderr, "stapler prune: %s names no output directory\n", *config)
			return exitFailed
		}
	}
	res, err := bundler.Prune(dir, popts)
	if err != nil {
		fmt.Fprintf(stderr, "stapler %v\n", err)
		return exitFailed
	}
	return pruned(res, *verbose, *dryRun, stdout, stderr)
}

// pruned prints what a prune removed, or would.
func pruned(res *bundler.PruneResult, verbose, dryRun bool, stdout, stderr io.Writer) int {
	if verbose || dryRun {
		for _, name := range res.Removed {
			fmt.Fprintln(stdout, oneLine(name))
		}
	}
	verb := "removed"
	if dryRun {
		verb = "would remove"
	}
	fmt.Fprintf(stderr, "stapler prune: %s %d file%s (%s), kept %d hashed file%s\n", verb,
		len(res.Removed), plural(len(res.Removed)), size(res.Bytes), res.Kept, plural(res.Kept))
	return exitOK
}

func runWatch(args []string, stdout, stderr io.Writer) int {
	_, f, positional, pr, ok := setup("watch", args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	config := f.config
	if len(positional) > 0 {
		return pr.fail("stapler watch: unexpected argument %q", positional[0])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := bundler.Watch(ctx, bundler.Options{Config: *config, Waiting: waiting("watch", stderr), Cache: !*f.noCache}, func(ev bundler.WatchEvent) {
		why := "built"
		if len(ev.Changed) > 0 {
			why = fmt.Sprintf("rebuilt after a change to %s", oneLine(relPath(ev.Changed[0])))
			if n := len(ev.Changed) - 1; n > 0 {
				why += fmt.Sprintf(" and %d more", n)
			}
		}
		var list bundler.ErrorList
		switch {
		case errors.As(ev.Err, &list):
			pr.diagnostics(list)
			fmt.Fprintf(stderr, "stapler watch: not %s; the previous output stays; waiting for changes\n", why)
		case ev.Err != nil:
			pr.fail("stapler watch: %v; waiting for changes", ev.Err)
		default:
			pr.diagnostics(ev.Result.Warnings)
			s := ev.Result.Stats
			fmt.Fprintf(stderr, "stapler watch: %s: %d written, %d unchanged\n", why, s.Written, s.Unchanged)
		}
	})
	if err != nil {
		return pr.fail("stapler watch: %v", err)
	}
	return exitOK
}

func runVerify(args []string, stdout, stderr io.Writer) int {
	fl, f, positional, pr, ok := setup("verify", args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	config := f.config
	if len(positional) != 1 {
		return pr.fail("usage: %s", synopsis("verify"))
	}
	dir := positional[0]
	if st, err := os.Stat(dir); !isBucket(dir) && (err != nil || !st.IsDir()) {
		return pr.fail("stapler verify: %s is not a directory", dir)
	}
	explicit := false
	fl.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "c" })
	var p *bundler.Project
	if _, err := os.Stat(*config); err == nil || explicit {
		if p, err = bundler.Load(bundler.Options{Config: *config}); err != nil {
			return pr.fail("stapler verify: %v", err)
		}
	}
	var err error
	if isBucket(dir) {
		t, terr := publish.TargetOf(p, dir)
		if terr != nil {
			return pr.fail("stapler verify: %v", terr)
		}
		_, err = publish.Verify(context.Background(), t, p)
	} else {
		_, err = bundler.Verify(context.Background(), dir, p)
	}
	var list bundler.ErrorList
	switch {
	case errors.As(err, &list):
		pr.diagnostics(list)
		return exitProblems
	case err != nil:
		return pr.fail("stapler verify: %v", err)
	}
	pr.diagnostics(nil)
	against := "its manifests"
	if p != nil {
		against += " and " + *config
	}
	fmt.Fprintf(stderr, "stapler verify: %s matches %s\n", dir, against)
	return exitOK
}

// unusedSummary prints how many collected files nothing refers to, and
// their bytes, root by root, then in all: the list is the diagnostics.
func unusedSummary(w io.Writer, unused []bundler.Unused) {
	var roots []string
	count := map[string]int{}
	bytes := map[string]int64{}
	var total int64
	for _, u := range unused {
		if count[u.Root] == 0 {
			roots = append(roots, u.Root)
		}
		count[u.Root]++
		bytes[u.Root] += u.Size
		total += u.Size
	}
	for _, r := range roots {
		fmt.Fprintf(w, "unused in %s: %d file%s, %s\n", relPath(r), count[r], plural(count[r]), size(bytes[r]))
	}
	fmt.Fprintf(w, "unused: %d file%s, %s\n", len(unused), plural(len(unused)), size(total))
}

// printer prints diagnostics in the format asked for.
type printer struct {
	format         string
	stdout, stderr io.Writer
	verbose        bool
}

func newPrinter(format string, stdout, stderr io.Writer, verbose bool) (*printer, error) {
	switch format {
	case "text", "json", "github":
		return &printer{format, stdout, stderr, verbose}, nil
	}
	return nil, fmt.Errorf("unknown format %q: want text, json or github", format)
}

// jsonDiagnostic is a diagnostic as --format=json prints it.
type jsonDiagnostic struct {
	File       string `json:"file"`
	Line       int    `json:"line"`
	Col        int    `json:"col"`
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion,omitempty"`
}

func (pr *printer) diagnostics(list bundler.ErrorList) {
	switch pr.format {
	case "json":
		out := make([]jsonDiagnostic, 0, len(list))
		for _, d := range list {
			out = append(out, jsonDiagnostic{relPath(d.Pos.File), d.Pos.Line, d.Pos.Col, d.Severity.String(), d.Code, relMessage(d.Message), d.Suggestion})
		}
		enc := json.NewEncoder(pr.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(out)
	case "github":
		for _, d := range list {
			fmt.Fprintf(pr.stdout, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", d.Severity,
				ghProperty(workspacePath(d.Pos.File)), d.Pos.Line, d.Pos.Col, ghProperty("stapler "+d.Code), ghData(relMessage(d.Message)))
		}
	default:
		for _, d := range list {
			pos := d.Pos
			pos.File = oneLine(relPath(pos.File))
			fmt.Fprintf(pr.stderr, "%s: %s: %s\n", pos, d.Severity, oneLine(relMessage(d.Message)))
			if pr.verbose {
				for _, n := range d.Notes {
					fmt.Fprintf(pr.stderr, "\t%s\n", oneLine(n))
				}
			}
		}
	}
	if n := list.Errors(); n > 0 {
		fmt.Fprintf(pr.stderr, "%d error%s\n", n, plural(n))
	}
}

// fail reports why the command could not run, for exit status 2: on
// stderr as text, and in the format asked for on stdout too, so that a
// CI step reading stdout gets something (a JSON object, an annotation)
// rather than nothing.
func (pr *printer) fail(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(pr.stderr, oneLine(msg))
	pr.machineFailure(msg)
	return exitFailed
}

// machineFailure prints the stdout half of fail: {"error": msg} for
// json, an ::error:: annotation for github, nothing for text.
func (pr *printer) machineFailure(msg string) {
	msg = relMessage(msg)
	switch pr.format {
	case "json":
		enc := json.NewEncoder(pr.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(struct {
			Error string `json:"error"`
		}{msg})
	case "github":
		fmt.Fprintf(pr.stdout, "::error::%s\n", ghData(msg))
	}
}

// oneLine escapes the control characters of text printed as one line of
// a file:line:col report, which a file name ("a\nb.css") or a tag as
// written may hold: \n and \r as written in Go, the others as \xNN (a
// tab stays). A report stays one line for the tools that read it.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, isBreaking) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && isBreaking(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case isBreaking(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isBreaking reports whether r would break a line of a report or drive
// the terminal: a control character but the tab, and the Unicode line
// and paragraph separators.
func isBreaking(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f || 0x80 <= r && r < 0xa0 || r == '\u2028' || r == '\u2029'
}

// workspacePath shows a diagnostic's file for a GitHub annotation:
// relative to the repository's root, GITHUB_WORKSPACE, when it is below
// it, for GitHub places an annotation by that path whatever the step's
// working directory; otherwise as relPath does.
func workspacePath(p string) string {
	ws := os.Getenv("GITHUB_WORKSPACE")
	if ws == "" {
		return relPath(p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return relPath(p)
	}
	below := func(ws, abs string) (string, bool) {
		rel, err := filepath.Rel(ws, abs)
		return filepath.ToSlash(rel), err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if rel, ok := below(ws, abs); ok {
		return rel
	}
	// The workspace, or the way to the file, may go through a link
	// (macOS's /var is /private/var).
	realWS, err1 := filepath.EvalSymlinks(ws)
	realAbs, err2 := filepath.EvalSymlinks(abs)
	if rel, ok := below(realWS, realAbs); ok && err1 == nil && err2 == nil {
		return rel
	}
	return relPath(p)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ghData escapes a GitHub Actions workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// relPath shows a path relative to the current directory when it is below it.
func relPath(p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return p
}

// relMessage shows the paths a message names relative to the current
// directory too, as relPath does for a diagnostic's own file: the library
// names files as the config's path was given, which may be absolute.
func relMessage(msg string) string {
	wd, err := os.Getwd()
	if err != nil || !strings.Contains(msg, wd) {
		return msg
	}
	return strings.ReplaceAll(msg, wd+string(filepath.Separator), "")
}

// progressLine shows a long build's progress on one line of a terminal,
// rewritten in place at most ten times a second. In a CI log (stderr not
// a terminal) there is none.
type progressLine struct {
	w     io.Writer
	last  time.Time
	stage string // the stage last shown: a new one is shown at once
	shown bool
}

func newProgressLine(stderr io.Writer, quiet bool) *progressLine {
	f, ok := stderr.(*os.File)
	if quiet || !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progressLine{w: stderr, last: time.Now()}
}

func (l *progressLine) update(p bundler.Progress) {
	if now := time.Now(); now.Sub(l.last) >= 100*time.Millisecond || p.Done == p.Total || p.Stage != l.stage {
		l.last, l.stage = now, p.Stage
		l.shown = true
		what := ""
		if p.Stage == bundler.StageCompress {
			what = "compressing "
		}
		fmt.Fprintf(l.w, "\rstapler: %s%d/%d files, %s\x1b[K", what, p.Done, p.Total, size(p.Bytes))
	}
}

// clear erases the progress line, for what is printed next.
func (l *progressLine) clear() {
	if l != nil && l.shown {
		fmt.Fprint(l.w, "\r\x1b[K")
	}
}

// size formats a byte count.
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}

// waiting returns the Waiting callback of a command: a line saying what
// holds the output's lock, so that a build waiting for another does not
// look hung.
func waiting(cmd string, stderr io.Writer) func(string) {
	return func(holder string) {
		fmt.Fprintf(stderr, "stapler %s: waiting for the output directory, locked by %s\n", cmd, holder)
	}
}
