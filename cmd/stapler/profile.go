package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// profiled runs f with a CPU profile written to the file STAPLER_CPUPROFILE
// names, when it names one: how docs/benchmarks.md's profiles were taken;
// and with a heap profile written when it returns to STAPLER_MEMPROFILE's
// (every allocation of the run, by where it was made: go tool pprof
// -sample_index=alloc_space); and with an execution trace written to
// STAPLER_TRACE's (go tool trace), to see what runs at once.
func profiled(f func() int) int {
	if name := os.Getenv("STAPLER_MEMPROFILE"); name != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			out, err := os.Create(name)
			if err == nil {
				err = pprof.Lookup("allocs").WriteTo(out, 0)
				out.Close()
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "stapler: STAPLER_MEMPROFILE: %v\n", err)
			}
		}()
	}
	if name := os.Getenv("STAPLER_TRACE"); name != "" {
		out, err := os.Create(name)
		if err == nil {
			defer out.Close()
			err = trace.Start(out)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "stapler: STAPLER_TRACE: %v\n", err)
			return exitFailed
		}
		defer trace.Stop()
	}
	name := os.Getenv("STAPLER_CPUPROFILE")
	if name == "" {
		return f()
	}
	out, err := os.Create(name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "stapler: STAPLER_CPUPROFILE: %v\n", err)
		return exitFailed
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintf(os.Stderr, "stapler: STAPLER_CPUPROFILE: %v\n", err)
		return exitFailed
	}
	defer pprof.StopCPUProfile()
	return f()
}
