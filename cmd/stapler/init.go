package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/stapler-build/stapler/djangoinit"
)

func runInit(args []string, stdout, stderr io.Writer) int {
	_, f, positional, _, ok := setup("init", args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	if len(positional) > 0 {
		fmt.Fprintf(stderr, "stapler init: unexpected argument %q\nusage: %s\n", positional[0], synopsis("init"))
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := djangoinit.Init(ctx, djangoinit.Options{Config: *f.config, Force: *f.force, Python: *f.python, Settings: *f.settings})
	if err != nil {
		fmt.Fprintf(stderr, "stapler init: %s\n", oneLine(relMessage(err.Error())))
		return exitFailed
	}
	for _, u := range res.Unsupported {
		fmt.Fprintf(stderr, "stapler init: not carried over: %s\n", oneLine(u))
	}
	for _, n := range res.Notes {
		fmt.Fprintf(stderr, "stapler init: note: %s\n", oneLine(n))
	}
	what := fmt.Sprintf("%s from %s (Django %s)", relPath(res.Config), res.Settings, res.Django)
	if res.Settings == "" {
		what = fmt.Sprintf("a starter %s (no manage.py: no settings read)", relPath(res.Config))
	}
	fmt.Fprintf(stderr, "stapler init: wrote %s: %d root%s, %d bundle%s", what, res.Roots, plural(res.Roots), res.Bundles, plural(res.Bundles))
	if n := len(res.Unsupported); n > 0 {
		fmt.Fprintf(stderr, ", %d thing%s not carried over (commented in the file)", n, plural(n))
	}
	fmt.Fprintln(stderr, "; next: stapler check")
	return exitOK
}
