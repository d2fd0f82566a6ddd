package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// profiled runs f with a CPU profile written to the file STAPLER_CPUPROFILE
// names, when it names one: how docs/benchmarks.md's profiles were taken.
func profiled(f func() int) int {
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
