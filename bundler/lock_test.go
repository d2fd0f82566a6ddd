package bundler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLockOutput checks that a second writer of an output directory waits
// for the first, is told who holds the lock, and gives up with an error
// naming the holder when its context ends.
func TestLockOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "static")
	unlock, err := lockOutput(context.Background(), dir, "stapler build", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("stapler build (pid %d on ", os.Getpid())

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var told []string
	_, err = lockOutput(ctx, dir, "stapler prune", func(h string) { told = append(told, h) })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while the first is held: %v, want it to wait until its context ends", err)
	}
	if !strings.Contains(err.Error(), dir+" is being written by "+want) {
		t.Errorf("error %q does not name the holder %q", err, want)
	}
	if len(told) != 1 || !strings.HasPrefix(told[0], want) {
		t.Errorf("waiting told %q, want once %q…", told, want)
	}

	got := make(chan error, 1)
	go func() {
		u, err := lockOutput(context.Background(), dir, "stapler build", nil)
		if err == nil {
			u()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second lock taken while the first is held (err %v)", err)
	case <-time.After(100 * time.Millisecond):
	}
	unlock()
	if err := <-got; err != nil {
		t.Fatalf("second lock after the first is released: %v", err)
	}
}
