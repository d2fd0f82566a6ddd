package bundler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// errLocked is what tryLock returns while another process holds the lock.
var errLocked = errors.New("locked")

// lockOutput takes the lock of the output directory dir, for what writes
// to it: a build's write and prune. Two of them at once would mix their
// files (a plain copy of one build beside the manifest of another) or
// delete what the other is about to name. The lock is an advisory lock
// (flock) on the directory itself: it puts no file in the output, changes
// nothing a rebuild compares, and the system releases it when its process
// ends, so a build that was killed leaves no lock to take over. While
// another process holds it, lockOutput waits until ctx is done.
func lockOutput(ctx context.Context, dir string) (unlock func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err = tryLock(f)
		if !errors.Is(err, errLocked) {
			break
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("bundler: %s is being written by another stapler build or prune: %w", dir, ctx.Err())
		case <-time.After(wait):
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bundler: locking %s: %w", dir, err)
	}
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
