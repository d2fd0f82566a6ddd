package bundler

import "syscall"

func ctimeOf(st *syscall.Stat_t) (int64, bool) { return st.Ctim.Nano(), true }
