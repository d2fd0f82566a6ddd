package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// commands are stapler's commands in the order help lists them, each with
// the arguments it takes after its flags and a line on what it does. The
// synopsis of each is made from this and its flag set, so that help, a
// command's -h and doc.go (which TestSynopsis holds to it) cannot disagree.
var commands = []struct{ name, args, summary string }{
	{"init", "", "write assets.toml from the Django project's settings and PIPELINE"},
	{"build", "", "check the project, then write its outputs and manifest"},
	{"check", "", "everything build does, in memory: writes nothing"},
	{"find", "NAME...", "show which root supplies each NAME, and what it hides"},
	{"watch", "", "build, then build again on every change, until interrupted"},
	{"verify", "DIR|BUCKET", "check a deployed output directory or bucket against its manifests and the sources"},
	{"prune", "[DIR|BUCKET]", "delete hashed files that no recent build names"},
	{"publish", "[BUCKET]", "send the output to an S3-compatible bucket: what is new, then the manifests"},
	{"version", "", "print stapler's version"},
}

// helpText is what stapler prints for help, and with no command or an
// unknown one. It is made when asked for, not when stapler starts: it
// sets up every command's flags (0.5 ms of every run, when it was).
func helpText() string {
	var b strings.Builder
	b.WriteString("usage: stapler <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nsynopsis:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %s\n", alignedSynopsis(c.name))
	}
	b.WriteString("\nRun 'stapler <command> -h' for what a command's flags do.\n")
	return b.String()
}

// cmdFlags holds where a command's flags are parsed to; a field is nil
// when the command has no such flag.
type cmdFlags struct {
	config, format, against *string
	verbose, quiet, dryRun  *bool
	noCache, force          *bool
	python, settings        *string
	strict, unused          *bool
	keep                    *int
	minAge                  *time.Duration
}

// formatUsage is the one text of --format, which four commands share.
const formatUsage = "how problems are printed: `text|json|github`"

// newFlagSet makes cmd's flag set, its -h printing the command's synopsis
// before the flags. It is the one place a flag is defined: help and the
// synopses are made from it.
func newFlagSet(cmd string, stderr io.Writer) (*flag.FlagSet, *cmdFlags) {
	fl := flag.NewFlagSet("stapler "+cmd, flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "usage: %s\n", synopsis(cmd))
		fl.PrintDefaults()
	}
	var f cmdFlags
	switch cmd {
	case "build", "check":
		f.config = fl.String("c", "assets.toml", "the config `file`")
		f.verbose = fl.Bool("v", false, "list each output; show the roots searched for a name not found")
		f.quiet = fl.Bool("q", false, "print nothing on success")
		f.format = fl.String("format", "text", formatUsage)
		f.noCache = fl.Bool("no-cache", false, "neither read nor write the build cache (build/.static.cache beside the output)")
		f.strict = fl.Bool("strict", false, "fail on warnings too, as the config's strict = true does")
		if cmd == "check" {
			f.unused = fl.Bool("unused", false, "list the collected files nothing refers to, with their bytes, by root")
			f.against = fl.String("against", "", "also verify the deployed output `DIR` against the manifests and the sources")
		}
	case "init":
		f.config = fl.String("c", "assets.toml", "the config `file` to write, beside manage.py")
		f.force = fl.Bool("force", false, "overwrite the config if it exists")
		f.python = fl.String("python", "", "the project's Python `program`, which imports its settings (default: what manage.py's #! line names, else python3)")
		f.settings = fl.String("settings", "", "the settings `module` (default: $DJANGO_SETTINGS_MODULE, else manage.py's)")
	case "find":
		f.config = fl.String("c", "assets.toml", "the config `file`")
		f.verbose = fl.Bool("v", false, "show the roots searched for a name not found")
	case "watch":
		f.config = fl.String("c", "assets.toml", "the config `file`")
		f.verbose = fl.Bool("v", false, "show the roots searched for a name not found")
		f.format = fl.String("format", "text", formatUsage)
		f.noCache = fl.Bool("no-cache", false, "neither read nor write the build cache (build/.static.cache beside the output)")
	case "verify":
		f.config = fl.String("c", "assets.toml", "the config `file` whose sources the output must match; skipped when the default is absent")
		f.format = fl.String("format", "text", formatUsage)
	case "publish":
		f.config = fl.String("c", "assets.toml", "the config `file`: its output is published, to its [publish] bucket unless BUCKET is given")
		f.dryRun = fl.Bool("n", false, "list what would be uploaded; upload nothing")
		f.verbose = fl.Bool("v", false, "list each object uploaded")
		f.quiet = fl.Bool("q", false, "print nothing on success")
		f.format = fl.String("format", "text", formatUsage)
	case "prune":
		f.config = fl.String("c", "assets.toml", "the config `file`, whose output is pruned when no DIR is given; its [publish] says how to reach a BUCKET")
		f.keep = fl.Int("keep", 3, "keep the files of the last `N` builds, the current one included (N ≥ 1)")
		f.minAge = fl.Duration("min-age", time.Hour, "keep files younger than `D`, a duration such as 90m or 24h")
		f.dryRun = fl.Bool("n", false, "list what would be deleted; delete nothing")
		f.verbose = fl.Bool("v", false, "list each file deleted")
	}
	return fl, &f
}

// synopsis returns cmd's synopsis line, "stapler prune [-c file] [-n] [-v]
// [--keep N] [--min-age D] [DIR]": its one-letter flags, then its long
// ones, each set in name order, then its arguments.
func synopsis(cmd string) string {
	return strings.Join(synopsisWords(cmd), " ")
}

// alignedSynopsis is synopsis with the flags of every command starting in
// one column, as help and doc.go list them.
func alignedSynopsis(cmd string) string {
	w := synopsisWords(cmd)
	if len(w) == 2 {
		return strings.Join(w, " ")
	}
	longest := 0
	for _, c := range commands {
		if len(synopsisWords(c.name)) > 2 {
			longest = max(longest, len(c.name))
		}
	}
	return fmt.Sprintf("%s %-*s %s", w[0], longest, w[1], strings.Join(w[2:], " "))
}

func synopsisWords(cmd string) []string {
	words := []string{"stapler", cmd}
	fl, _ := newFlagSet(cmd, io.Discard)
	var short, long []string
	fl.VisitAll(func(f *flag.Flag) {
		arg, _ := flag.UnquoteUsage(f)
		if len(f.Name) == 1 {
			short = append(short, "["+strings.TrimSpace("-"+f.Name+" "+arg)+"]")
		} else {
			long = append(long, "["+strings.TrimSpace("--"+f.Name+" "+arg)+"]")
		}
	})
	words = append(append(words, short...), long...)
	for _, c := range commands {
		if c.name == cmd && c.args != "" {
			words = append(words, c.args)
		}
	}
	return words
}
