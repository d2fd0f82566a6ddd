package bundler

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLockOutput checks that a second writer of an output directory waits
// for the first, and gives up with a clear error when its context ends.
func TestLockOutput(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockOutput(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := lockOutput(ctx, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock while the first is held: %v, want it to wait until its context ends", err)
	}

	got := make(chan error, 1)
	go func() {
		u, err := lockOutput(context.Background(), dir)
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
