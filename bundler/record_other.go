//go:build !linux

package bundler

// sameFacts reports whether each fact of a list sorted by path holds.
func sameFacts(facts []fact) bool { return sameFactsOS(facts) }
