package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestHugeHeap checks what hugeHeap promises: the range it advises is
// eligible for huge pages, and the heap's next allocations are made in it.
func TestHugeHeap(t *testing.T) {
	if mode := thpMode(); mode != "madvise" {
		// Nothing to advise: hugeHeap returns at once.
		t.Skipf("transparent huge pages are %q on this system; hugeHeap advises only under madvise", mode)
	}
	beg, end, err := adviseHuge()
	if err != nil {
		t.Fatalf("madvise: %v", err)
	}
	if end-beg < hugeHeapSize-4<<20 {
		t.Fatalf("advised %d bytes, want about %d", end-beg, hugeHeapSize)
	}
	// 32 MB in 64 KB allocations, as a build's files and buffers are.
	var held [][]byte
	in := 0
	for range 512 {
		b := make([]byte, 64<<10)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		held = append(held, b)
		if a := uintptr(unsafe.Pointer(&b[0])); a >= beg && a < end {
			in++
		}
	}
	if in < len(held)*9/10 {
		t.Errorf("%d of %d allocations made in the advised range %#x-%#x", in, len(held), beg, end)
	}
	eligible, hugeKB, err := smapsTHP(beg)
	if err != nil {
		t.Fatal(err)
	}
	if !eligible {
		t.Errorf("the mapping at %#x is not eligible for huge pages", beg)
	}
	// Whether the kernel had huge pages to give is its affair: logged.
	t.Logf("%d of %d allocations in range; AnonHugePages of the mapping: %d kB", in, len(held), hugeKB)
}

// smapsTHP returns, for the mapping holding addr in /proc/self/smaps,
// whether it is eligible for huge pages and how many kB of them it has.
func smapsTHP(addr uintptr) (eligible bool, hugeKB int, err error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return false, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	found := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			if found {
				break // the next mapping
			}
			found = addr >= lo && addr < hi
			continue
		}
		if !found {
			continue
		}
		switch k, v, _ := strings.Cut(line, ":"); k {
		case "THPeligible":
			eligible = strings.TrimSpace(v) == "1"
		case "AnonHugePages":
			fmt.Sscanf(strings.TrimSpace(v), "%d", &hugeKB)
		}
	}
	if err := sc.Err(); err != nil {
		return false, 0, err
	}
	if !found {
		return false, 0, fmt.Errorf("no mapping holds %#x in /proc/self/smaps", addr)
	}
	return eligible, hugeKB, nil
}

// TestAddressLimited: hugeHeap stays out of a process whose address space
// is limited.
func TestAddressLimited(t *testing.T) {
	var was unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &was); err != nil {
		t.Fatal(err)
	}
	if was.Cur != unix.RLIM_INFINITY {
		if !addressLimited() {
			t.Fatalf("an address space limited to %d bytes is not addressLimited", was.Cur)
		}
		t.Skipf("the address space is limited here already (%d bytes): nothing to set", was.Cur)
	}
	if addressLimited() {
		t.Fatal("an unlimited address space is addressLimited")
	}
	// 16 TB: a limit, and one no test comes near.
	if err := unix.Setrlimit(unix.RLIMIT_AS, &unix.Rlimit{Cur: 1 << 44, Max: was.Max}); err != nil {
		t.Fatal(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_AS, &was)
	if !addressLimited() {
		t.Error("an address space limited to 16 TB is not addressLimited")
	}
}
