package bundler

import (
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSyncTreeDirents holds the listing-only sync to the one by stats: on
// random pairs of trees (files shared by inode or not, a file where src
// has a directory and the reverse, a link in dst, temporary and skipped
// names), both leave dst with the same names, each file the same inode as
// src's.
func TestSyncTreeDirents(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 7))
		base := t.TempDir()
		// src is the output: a link to its generation.
		src := filepath.Join(base, "src")
		os.MkdirAll(filepath.Join(base, "gen"), 0o755)
		if err := os.Symlink("gen", src); err != nil {
			t.Fatal(err)
		}
		write := func(p, data string) {
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var names []string
		for i := range 40 {
			name := fmt.Sprintf("d%d/e%d/f%d.txt", r.IntN(3), r.IntN(3), i)
			if r.IntN(5) == 0 {
				name = fmt.Sprintf("f%d.txt", i)
			}
			names = append(names, name)
			write(filepath.Join(src, filepath.FromSlash(name)), name)
		}
		write(filepath.Join(src, "d0", ".stapler-x.tmp"), "temp")
		skipped := names[r.IntN(len(names))]
		// Odd seeds leave no directory to remove where the sync needs
		// none: then it says which inodes it relinked.
		trees := seed%2 == 0
		skip := func(name string) bool { return name == skipped }
		// dst as the spare generation is: some files shared, some other,
		// some gone, and stale things.
		dst := func(dir string) {
			for _, name := range names {
				from, to := filepath.Join(src, filepath.FromSlash(name)), filepath.Join(dir, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(to), 0o755)
				switch r.IntN(4) {
				case 0:
					os.Link(from, to)
				case 1:
					write(to, "other")
				case 2:
					if trees {
						os.MkdirAll(filepath.Join(to, "sub"), 0o755) // a directory where src has a file
					}
				}
			}
			if trees {
				write(filepath.Join(dir, "stale", "x.txt"), "stale")
			}
			write(filepath.Join(dir, "d9.txt"), "stale file")
			os.Symlink("/etc", filepath.Join(dir, "link"))
			os.MkdirAll(filepath.Join(dir, "d1"), 0o755)
			os.RemoveAll(filepath.Join(dir, "d2"))
			write(filepath.Join(dir, "d2"), "a file where src has a directory")
		}
		a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
		state := *r
		dst(a)
		*r = state
		dst(b)
		// A file dst shares with src stays the same directory entry:
		// kept, not linked anew (its ctime would move with a new link).
		kept := map[string]time.Time{}
		for _, name := range names {
			if name == skipped {
				continue // removed from dst, as it should be
			}
			p := filepath.Join(a, filepath.FromSlash(name))
			fa, err1 := os.Stat(p)
			fs, err2 := os.Stat(filepath.Join(src, filepath.FromSlash(name)))
			if err1 == nil && err2 == nil && os.SameFile(fa, fs) {
				kept[p] = ctimeOfInfo(fa)
			}
		}
		before := ctimes(src, a)
		time.Sleep(10 * time.Millisecond)
		done, carried, relinked, err := syncTreeDirents(src, a, skip, true)
		if !done || err != nil {
			t.Fatalf("seed %d: syncTreeDirents: done %t, %v", seed, done, err)
		}
		if relinked == nil && !trees {
			t.Fatalf("seed %d: syncTreeDirents did not say what it relinked", seed)
		}
		if relinked != nil {
			// The writer and the record trust the stat of every other
			// inode of the two trees to be as it was.
			for ino, ctime := range ctimes(src, a) {
				if was, ok := before[ino]; ok && !was.Equal(ctime) && !relinked[ino] {
					t.Fatalf("seed %d: inode %d's links changed, and relinked does not say so", seed, ino)
				}
			}
		}
		// What it says it carried is every regular file of dst, each
		// with its inode: the writer takes a name it does not list for
		// absent, and a listed one's size from another name's stat.
		files := map[string]uint64{}
		filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				rel, _ := filepath.Rel(a, p)
				fi, _ := os.Lstat(p)
				files[filepath.ToSlash(rel)] = fi.Sys().(*syscall.Stat_t).Ino
			}
			return nil
		})
		if !maps.Equal(carried, files) {
			t.Fatalf("seed %d: syncTreeDirents said it carried\n%v\ndst holds\n%v", seed, carried, files)
		}
		for p, ctime := range kept {
			if fi, err := os.Stat(p); err != nil || !ctimeOfInfo(fi).Equal(ctime) {
				t.Fatalf("seed %d: %s, shared already, was linked anew", seed, p)
			}
		}
		if err := syncTreeStat(src, b, skip); err != nil {
			t.Fatalf("seed %d: syncTreeStat: %v", seed, err)
		}
		ta, tb := treeOf(t, src, a), treeOf(t, src, b)
		if !slices.Equal(ta, tb) {
			t.Fatalf("seed %d: the listings' sync left\n%s\nthe stats' sync\n%s", seed, strings.Join(ta, "\n"), strings.Join(tb, "\n"))
		}
		if slices.ContainsFunc(ta, func(s string) bool { return strings.Contains(s, skipped+" ") || strings.Contains(s, ".tmp") }) {
			t.Fatalf("seed %d: a skipped or temporary name was carried: %v", seed, ta)
		}
	}
}

// ctimes returns the change time of every regular file of the trees, by
// inode.
func ctimes(dirs ...string) map[uint64]time.Time {
	out := map[uint64]time.Time{}
	for _, dir := range dirs {
		filepath.WalkDir(dir+"/.", func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := os.Lstat(p); err == nil {
					out[fi.Sys().(*syscall.Stat_t).Ino] = ctimeOfInfo(fi)
				}
			}
			return nil
		})
	}
	return out
}

func ctimeOfInfo(fi fs.FileInfo) time.Time {
	st := fi.Sys().(*syscall.Stat_t)
	return time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
}

// treeOf lists dir: each name, its type, and for a file whether it is
// src's file of that name.
func treeOf(t *testing.T, src, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		line := rel + " " + d.Type().String()
		if d.Type().IsRegular() {
			a, _ := os.Stat(p)
			b, err := os.Stat(filepath.Join(src, rel))
			line += fmt.Sprint(" shared=", err == nil && os.SameFile(a, b))
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOutputFacts holds the listings' facts of an output to the walk's:
// the same directories and links, and one fact of each file's inode, with
// the same stat, through the output's link.
func TestOutputFacts(t *testing.T) {
	base := t.TempDir()
	gen := filepath.Join(base, ".static.gen-x")
	for _, name := range []string{"css/a.css", "css/deep/b.css", "img/c.png", "top.txt"} {
		p := filepath.Join(gen, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(name), 0o644)
		os.Link(p, p+".hashed") // a plain copy and its hashed file
	}
	os.Symlink("elsewhere", filepath.Join(gen, "img", "link"))
	// More entries in one directory than one run of stats takes.
	os.Mkdir(filepath.Join(gen, "many"), 0o755)
	for i := range 600 {
		os.WriteFile(filepath.Join(gen, "many", fmt.Sprint(i)), nil, 0o644)
	}
	// More directories than listings run at once, nested.
	for i := range 12 {
		p := filepath.Join(gen, "dirs", fmt.Sprint(i), "sub", fmt.Sprint(i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(p), 0o644)
	}
	out := filepath.Join(base, "static")
	if err := os.Symlink(".static.gen-x", out); err != nil {
		t.Fatal(err)
	}
	got, err := outputFacts(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	walked, err := outputFactsWalk(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := factsDiffer(got, walked, nil); d != "" {
		t.Errorf("the listings' facts (the first) differ from the walk's:\n%s", d)
	}
	// The output, 4 directories, 4 inodes, the link, many/ and its files,
	// dirs/ and its 12 directories, their subdirectories and files.
	if n, want := len(got), 1+4+4+1+600+1+3*12; n != want {
		t.Errorf("%d facts from the listings, want %d: a plain copy stat'ed beside its hashed file?", n, want)
	}
	for i, f := range got {
		if f.Path == "" {
			t.Fatalf("fact %d of %d is empty", i, len(got))
		}
	}
}
