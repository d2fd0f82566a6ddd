package bundler

import (
	"crypto/sha256"
	"sync"
)

// A memo keeps the results of the costly steps that depend on a file's
// bytes alone (minifying a script, checking a stylesheet, minifying a
// collected file or a joined stylesheet) from one build to the next, keyed
// by the SHA-256 of those bytes and of what the step is. Watch gives each
// build the same memo, so that a rebuild after an edit minifies only what
// the edit changed; what no build used last time is dropped.
type memo struct {
	mu   sync.Mutex
	gen  int
	hits int // results reused by the current build, for tests
	m    map[[sha256.Size]byte]memoEntry
}

type memoEntry struct {
	gen int
	v   any
}

func newMemo() *memo { return &memo{m: map[[sha256.Size]byte]memoEntry{}} }

// next starts a build: it drops what the build before the last did not use.
func (m *memo) next() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, e := range m.m {
		if e.gen < m.gen {
			delete(m.m, k)
		}
	}
	m.gen++
	m.hits = 0
}

func memoKey(kind string, data []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write(data)
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// memoPut keeps v as the result of the step named kind over data, which
// the caller knows without computing it: the paths of a manifest the
// build has just written, for the next build that reads it. A nil memo
// keeps nothing.
func memoPut(m *memo, kind string, data []byte, v any) {
	if m == nil {
		return
	}
	key := memoKey(kind, data)
	m.mu.Lock()
	m.m[key] = memoEntry{gen: m.gen, v: v}
	m.mu.Unlock()
}

// do returns the result of f for the step named kind over data, computing
// it only when no build has yet. A nil memo always computes.
func memoDo[T any](m *memo, kind string, data []byte, f func() T) T {
	if m == nil {
		return f()
	}
	key := memoKey(kind, data)
	m.mu.Lock()
	if e, ok := m.m[key]; ok {
		e.gen = m.gen
		m.m[key] = e
		m.hits++
		m.mu.Unlock()
		return e.v.(T)
	}
	m.mu.Unlock()
	v := f()
	m.mu.Lock()
	m.m[key] = memoEntry{gen: m.gen, v: v}
	m.mu.Unlock()
	return v
}

// copied returns a copy of each diagnostic of l, which a build may change
// (to put it at its source's line) without changing the memo's.
func copied(l ErrorList) ErrorList {
	if l == nil {
		return nil
	}
	out := make(ErrorList, len(l))
	for i, d := range l {
		c := *d
		out[i] = &c
	}
	return out
}
