package main

import (
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// gcSettings reads GOGC's percent and the memory limit as the runtime has
// them now.
func gcSettings() (percent, limit uint64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// TestLateGC: the collector is off, under a 32 MB limit, until the heap
// first reaches it; the collection that follows gives back the settings
// the process started with.
func TestLateGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: lateGC leaves the collector as they say")
	}
	runtime.GC()
	percent, limit := gcSettings()
	if percent != 100 || limit != math.MaxInt64 {
		t.Fatalf("the test starts with GOGC %d and a limit of %d, not Go's defaults", percent, limit)
	}
	lateGC()
	if p, l := gcSettings(); p != math.MaxUint64 || l != 32<<20 {
		t.Fatalf("after lateGC: GOGC %d, limit %d; want off (-1) and 32 MB", p, l)
	}
	var keep [][]byte
	for range 48 {
		keep = append(keep, make([]byte, 1<<20))
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if p, l := gcSettings(); p == percent && l == limit {
			break
		}
		if time.Now().After(deadline) {
			p, l := gcSettings()
			t.Fatalf("48 MB allocated: GOGC %d, limit %d; want %d and %d back", p, l, percent, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	runtime.KeepAlive(keep)
}
