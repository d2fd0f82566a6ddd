package bundler

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestCopyFrom: a file with the stat its hash was taken under is copied
// whole; one edited since, to the same size with its modification time
// put back, is not (its change time moved), and leaves nothing behind;
// nor is one the file system cannot copy from in the kernel (a pipe).
func TestCopyFrom(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.png")
	data := []byte("\x89PNG the bytes of an image")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var d dirFDs
	defer d.close()
	_, st, err := d.statFile(src)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(out)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	w := newWriter(root, out, out, nil)
	defer w.close()
	from := &copySource{abs: src, stat: st}

	if ok, err := w.copyFrom(".", "a.png", from); !ok || err != nil {
		t.Fatalf("copyFrom of an unchanged file: %t, %v; want it copied", ok, err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "a.png")); err != nil || string(got) != string(data) {
		t.Fatalf("the copy holds %q (%v), want %q", got, err, data)
	}

	time.Sleep(10 * time.Millisecond) // past the clock's tick: a new change time
	edited := []byte("\x89PNG the bytes of an IMAGE")
	if err := os.WriteFile(src, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(0, st.mtime)
	if err := os.Chtimes(src, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if ok, err := w.copyFrom(".", "b.png", from); ok || err != nil {
		t.Fatalf("copyFrom of a file edited since its stat: %t, %v; want false and no error", ok, err)
	}
	if _, err := os.Lstat(filepath.Join(out, "b.png")); err == nil {
		t.Error("copyFrom left the file it did not copy")
	}

	r, wp, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer wp.Close()
	wp.Write(data)
	nfd, err := unix.Open(filepath.Join(out, "c.png"), unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(nfd)
	if ok, err := copyRange(int(r.Fd()), nfd, int64(len(data))); ok || err != nil {
		t.Errorf("copyRange from a pipe: %t, %v; want false and no error, for the caller to write", ok, err)
	}
}
