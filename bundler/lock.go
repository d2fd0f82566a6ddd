package bundler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// errLocked is what tryLock returns while another process holds the lock.
var errLocked = errors.New("locked")

// lockOutput takes the lock of the output directory dir, for what writes
// to it: a build and prune. Two of them at once would mix their files (a
// plain copy of one build beside the manifest of another) or delete what
// the other is about to name. The lock is an advisory lock (flock) on the
// file beside dir that lockPath names, which the holder
// fills with what it is (what, its process and host, and since when) for
// the message of a writer that has to wait. The system releases the lock
// when its process ends, so a killed build leaves no lock to take over:
// the next writer takes it at once, whatever the file still says.
//
// While another process holds it, lockOutput calls waiting once with the
// holder's description, and then waits until ctx is done.
func lockOutput(ctx context.Context, dir, what string, waiting func(holder string)) (unlock func(), err error) {
	name := lockPath(dir)
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, fmt.Errorf("bundler: %w", err)
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bundler: %w", err)
	}
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err = tryLock(f)
		if !errors.Is(err, errLocked) {
			break
		}
		if waiting != nil {
			waiting(holder(f))
			waiting = nil
		}
		select {
		case <-ctx.Done():
			h := holder(f)
			f.Close()
			return nil, fmt.Errorf("bundler: %s is being written by %s: %w", dir, h, ctx.Err())
		case <-time.After(wait):
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bundler: locking %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	// Best effort: the description serves messages only.
	if f.Truncate(0) == nil {
		fmt.Fprintf(f, "%s (pid %d on %s, since %s)\n", what, os.Getpid(), host, time.Now().Format(time.RFC3339))
	}
	return func() {
		f.Truncate(0)
		unlockFile(f)
		f.Close()
	}, nil
}

// holder returns the description the lock's holder wrote.
func holder(f *os.File) string {
	b, _ := io.ReadAll(io.NewSectionReader(f, 0, 512))
	if s := strings.TrimSpace(string(b)); s != "" {
		return s
	}
	return "another stapler build or prune"
}
