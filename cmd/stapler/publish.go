package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/publish"
)

func runPublish(args []string, stdout, stderr io.Writer) int {
	_, f, positional, pr, ok := setup("publish", args, stdout, stderr)
	if !ok {
		return exitFailed
	}
	if len(positional) > 1 {
		return pr.fail("usage: %s", synopsis("publish"))
	}
	url := ""
	if len(positional) == 1 {
		url = positional[0]
		if _, _, err := bundler.ParseBucketURL(url); err != nil {
			return pr.fail("stapler publish: %v", err)
		}
	}
	p, err := bundler.Load(bundler.Options{Config: *f.config})
	if err != nil {
		return pr.fail("stapler publish: %v", err)
	}
	if problems := p.ConfigProblems(); problems.Errors() > 0 {
		pr.diagnostics(problems)
		return exitProblems
	}
	t, err := publish.TargetOf(p, url)
	if err != nil {
		return pr.fail("stapler publish: %v", err)
	}
	if p.OutputDir() == "" {
		return pr.fail("stapler publish: %s names no output directory", *f.config)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	opts := publish.Options{Dir: p.OutputDir(), Target: t, DryRun: *f.dryRun}
	bar := newPublishProgress(stderr, *f.quiet)
	if bar != nil {
		opts.Progress = bar.update
	}
	res, err := publish.Publish(ctx, opts)
	bar.clear()
	if err != nil {
		if res != nil && len(res.Uploaded) > 0 {
			err = fmt.Errorf("%w (%d object%s stored before it stopped; the bucket's manifest is the previous one: run it again to finish)", err, len(res.Uploaded), plural(len(res.Uploaded)))
		}
		return pr.fail("stapler %v", err)
	}
	if *f.verbose || *f.dryRun {
		for _, key := range res.Uploaded {
			fmt.Fprintln(stdout, oneLine(key))
		}
	}
	if *f.quiet {
		return exitOK
	}
	verb := "uploaded"
	if *f.dryRun {
		verb = "would upload"
	}
	fmt.Fprintf(stderr, "stapler publish: %s: %s %d object%s (%s), %d up to date, in %s\n", t.URL, verb,
		len(res.Uploaded), plural(len(res.Uploaded)), size(res.Bytes), res.Present, time.Since(start).Round(time.Millisecond))
	return exitOK
}

// isBucket reports whether a command's argument is a bucket's URL rather
// than a directory.
func isBucket(arg string) bool { return strings.HasPrefix(arg, "s3://") }

// explicitFlag reports whether args set the flag name.
func explicitFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// bucketTarget returns how to reach the bucket url: by the config's
// [publish] when the config exists (or was named), else by the
// environment alone.
func bucketTarget(url, config string, explicit bool) (publish.Target, error) {
	var p *bundler.Project
	if _, err := os.Stat(config); err == nil || explicit {
		if p, err = bundler.Load(bundler.Options{Config: config}); err != nil {
			return publish.Target{}, err
		}
		if problems := p.ConfigProblems(); problems.Errors() > 0 {
			return publish.Target{}, errors.New(problems.Error())
		}
	}
	return publish.TargetOf(p, url)
}

// publishProgress shows a publish's progress on one line of a terminal,
// as progressLine does a build's.
type publishProgress struct {
	w     io.Writer
	last  time.Time
	shown bool
}

func newPublishProgress(stderr io.Writer, quiet bool) *publishProgress {
	if newProgressLine(stderr, quiet) == nil {
		return nil
	}
	return &publishProgress{w: stderr, last: time.Now()}
}

func (l *publishProgress) update(p publish.Progress) {
	if now := time.Now(); now.Sub(l.last) >= 100*time.Millisecond || p.Done == p.Total {
		l.last, l.shown = now, true
		fmt.Fprintf(l.w, "\rstapler: uploading %d/%d objects, %s of %s\x1b[K", p.Done, p.Total, size(p.Bytes), size(p.TotalBytes))
	}
}

func (l *publishProgress) clear() {
	if l != nil && l.shown {
		fmt.Fprint(l.w, "\r\x1b[K")
	}
}
