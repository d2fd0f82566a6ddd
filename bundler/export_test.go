package bundler

import "time"

// WithRacyWindow returns opts with the window within which a change may
// not show in a stat set to d: a test that waits d after each edit sees
// the build cache and the build record trusted.
func WithRacyWindow(opts Options, d time.Duration) Options {
	opts.racyWindow = d
	return opts
}

// WithSpillBudget returns opts with the bytes of copied files a build
// keeps from their hashing to their writing set to n: with 1, every one
// is let go of and read again to be written.
func WithSpillBudget(opts Options, n int64) Options {
	opts.spillBudget = n
	return opts
}

// WithFactsChecked returns opts with the record's output facts, where a
// build takes them from the last record's, compared with a listing's:
// FactsDiffer says how they differed.
func WithFactsChecked(opts Options) Options {
	opts.checkFacts = true
	return opts
}

// FactsDiffer says how p's last record's output facts differed from a
// listing's, under WithFactsChecked; "" when they did not.
func FactsDiffer(p *Project) string { return p.factsDiffer }

// Patched reports whether p's last Build was a patch build (see patch.go).
func Patched(p *Project) bool { return p.patched }
