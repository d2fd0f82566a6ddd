//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package bundler

import "os"

// tryLock takes no lock where flock is not available: builds and prunes
// of one output directory must not run at once there.
func tryLock(*os.File) error { return nil }

func unlockFile(*os.File) {}
