//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package bundler

import "syscall"

func ctimeOf(st *syscall.Stat_t) (int64, bool) { return st.Ctimespec.Nano(), true }
