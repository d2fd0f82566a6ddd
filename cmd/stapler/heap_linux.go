package main

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeHeapSize is how much of the heap hugeHeap offers the kernel in huge
// pages. 256 MB covers the heap of a cold build of the 20,000-file site;
// 128 MB covered the 4,000-file site's as well, but left the larger one's
// cold build 0.2 s slower.
const hugeHeapSize = 256 << 20

// hugeHeap asks the kernel to back the first hugeHeapSize bytes of the
// heap with transparent huge pages, where the system gives them only to
// memory that asks (its mode is "madvise", as on Debian and Ubuntu).
//
// Go's heap does not ask, so it is faulted in 4 KB at a time, and on a
// virtual machine every such fault is dear: on the project's 2-core VM,
// 3 ms for each MB first touched, against 0.06 ms in 2 MB pages. A cold
// build of the 4,000-file site touched 89 MB: 20,500 faults, a quarter
// of its CPU. With huge pages, 4,600 faults, and 0.75 s became 0.59 s;
// a rebuild after one source changed 93 became 64 ms (docs/benchmarks.md).
//
// The heap is made to reach that far by one allocation, whose pages are
// advised and then handed back: the next allocations are made in them,
// lowest first, as the heap grows. Untouched, they cost no memory; the
// price is one collection at the start (2 to 4 ms, and about 250 faults,
// most of which a build would take later anyway). GODEBUG=disablethp=1
// turns it off, as it turns off Go's own use of huge pages.
func hugeHeap() {
	if strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") || thpMode() != "madvise" || addressLimited() {
		return
	}
	adviseHuge()
}

// addressLimited reports whether the process's address space is limited
// (ulimit -v): there, 256 MB more of it, even untouched, could be the
// allocation that fails, and the runtime stops the process when one does.
func addressLimited() bool {
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_AS, &lim); err != nil {
		return true
	}
	return lim.Cur != unix.RLIM_INFINITY
}

// adviseHuge advises the pages of a hugeHeapSize allocation, hands them
// back, and returns the range advised.
func adviseHuge() (beg, end uintptr, err error) {
	const huge = 2 << 20
	// No collection while b is live: it would keep all of it.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b := make([]byte, hugeHeapSize)
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	beg = (start + huge - 1) &^ (huge - 1)
	end = (start + hugeHeapSize) &^ (huge - 1)
	// An error leaves the pages as they were: small.
	if _, _, errno := unix.Syscall(unix.SYS_MADVISE, beg, end-beg, unix.MADV_HUGEPAGE); errno != 0 {
		err = errno
	}
	runtime.KeepAlive(b)
	b = nil
	// Collected and handed back, so that the memory they are counted as
	// does not start a collection (tunedGC).
	debug.FreeOSMemory()
	return beg, end, err
}

// thpMode returns the system's mode of transparent huge pages: "always",
// "madvise" or "never", or "" where it cannot be read.
func thpMode() string {
	data, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	// "always [madvise] never": the one in brackets.
	_, after, ok := bytes.Cut(data, []byte("["))
	mode, _, ok2 := bytes.Cut(after, []byte("]"))
	if !ok || !ok2 {
		return ""
	}
	return string(mode)
}
