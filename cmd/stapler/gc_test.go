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

// waitLimit collects until the memory limit is what want says, or fails.
func waitLimit(t *testing.T, what string, want func(limit uint64) bool) uint64 {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		runtime.GC()
		_, l := gcSettings()
		if want(l) {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the limit stayed %d", what, l)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTunedGC: the collector runs only at the memory limit, which is
// gcFloor while little is live, twice the live heap once more is, and
// gcFloor again when that is let go; stop gives back the settings.
func TestTunedGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: tunedGC leaves the collector as they say")
	}
	runtime.GC()
	percent, limit := gcSettings()
	if percent != 100 || limit != math.MaxInt64 {
		t.Fatalf("the test starts with GOGC %d and a limit of %d, not Go's defaults", percent, limit)
	}
	stop := tunedGC()
	if p, l := gcSettings(); p != math.MaxUint64 || l != gcFloor {
		stop()
		t.Fatalf("after tunedGC: GOGC %d, limit %d; want off (-1) and %d", p, l, gcFloor)
	}
	func() {
		defer stop()
		// Little live: the limit stays the floor.
		waitLimit(t, "nothing live", func(l uint64) bool { return l == gcFloor })
		// 120 MB live, more than half the floor: twice that.
		var keep [][]byte
		for range 120 {
			keep = append(keep, make([]byte, 1<<20))
		}
		l := waitLimit(t, "120 MB live", func(l uint64) bool { return l >= 240<<20 })
		if l > 280<<20 {
			t.Errorf("120 MB live: limit %d MB, want about 240", l>>20)
		}
		runtime.KeepAlive(keep)
		keep = nil
		waitLimit(t, "120 MB let go", func(l uint64) bool { return l == gcFloor })
	}()
	if p, l := gcSettings(); p != percent || l != limit {
		t.Fatalf("after stop: GOGC %d, limit %d; want %d and %d back", p, l, percent, limit)
	}
	runtime.GC() // a stopped tuner's finalizer sets nothing
	if _, l := gcSettings(); l != limit {
		t.Fatalf("a collection after stop set the limit to %d", l)
	}
}

func TestGCLimit(t *testing.T) {
	for _, c := range []struct{ live, want int64 }{
		{0, gcFloor},
		{gcFloor / 2, gcFloor},
		{gcFloor/2 + 1, gcFloor + 2},
		{1 << 30, 2 << 30},
	} {
		if got := gcLimit(uint64(c.live)); got != c.want {
			t.Errorf("gcLimit(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}
