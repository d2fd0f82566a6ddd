//go:build !linux

package bundler

// exchange cannot swap two names atomically here.
func exchange(a, b string) error { return errNoExchange }
