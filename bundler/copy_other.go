//go:build !linux

package bundler

// copyFrom reports false: the writer writes the file itself, from its
// bytes read again (copy_file_range is Linux's).
func (w *writer) copyFrom(reldir, base string, from *copySource) (bool, error) {
	return false, nil
}
