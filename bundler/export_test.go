package bundler

import "time"

// WithRacyWindow returns opts with the window within which a change may
// not show in a stat set to d: a test that waits d after each edit sees
// the build cache and the build record trusted.
func WithRacyWindow(opts Options, d time.Duration) Options {
	opts.racyWindow = d
	return opts
}
