package bundler

import (
	"bytes"
	"fmt"
	"strings"
)

// standIns stands in for the hashes of the files a minified stylesheet
// bundle refers to, while esbuild minifies it. The bundle's text is then
// the same from one build to the next as long as its sources are, and the
// build cache's result of the last run holds when only a target changed
// (an image): filling in the real hashes afterwards costs a scan, where
// esbuild took 60 ms for the 4,000-file site's bundle.
//
// The k-th target (in the order the sources refer to them) gets the hash
// "00000000" followed by k in four hex digits: as long as a real hash,
// and of the same characters, so esbuild quotes, escapes and keeps or
// drops the rules that hold it exactly as it would the real one, and
// positions and source maps do not move. The stand-ins are used only when
// they can be told apart from the text around them: the bundle's text
// holds no backslash (a CSS escape could spell one out, and esbuild would
// write it plainly) and ".00000000" only where a stand-in put it.
type standIns struct {
	on    bool
	nodes []*node // by stand-in number
	index map[*node]int
	n     int // stand-ins written
	real  int // targets written with their real hash: no stand-in for them
}

const standInMark = ".00000000" // before the four digits of every stand-in

func newStandIns(on bool) *standIns {
	return &standIns{on: on, index: map[*node]int{}}
}

// hash returns what the bundle's text says for t's hash.
func (s *standIns) hash(t *node) string {
	if !s.on || len(t.hash) != len(standInMark)-1+4 {
		s.real++
		return t.hash
	}
	k, ok := s.index[t]
	if !ok {
		if len(s.nodes) == 1<<16 {
			s.real++
			return t.hash // the input check refuses a real hash that looks like a stand-in
		}
		k = len(s.nodes)
		s.index[t] = k
		s.nodes = append(s.nodes, t)
	}
	s.n++
	return fmt.Sprintf("%s%04x", standInMark[1:], k)
}

// used reports whether any stand-in was written.
func (s *standIns) used() bool { return s.n > 0 }

// fillInput returns the bundle's text with the real hashes, and whether
// the stand-ins can be told from the rest of it: exactly one mark for
// each written, and no backslash.
func (s *standIns) fillInput(text []byte) ([]byte, bool) {
	if bytes.IndexByte(text, '\\') >= 0 || bytes.Count(text, []byte(standInMark)) != s.n {
		return nil, false
	}
	return s.fill(make([]byte, 0, len(text)), bytesString(text))
}

// fillOutput returns esbuild's minified text with the real hashes. It
// may hold fewer stand-ins than its input (a rule dropped as a
// duplicate), never one that is not a stand-in.
func (s *standIns) fillOutput(text []byte) ([]byte, bool) {
	if bytes.Count(text, []byte(standInMark)) > s.n {
		return nil, false
	}
	return s.fill(make([]byte, 0, len(text)), bytesString(text))
}

// fill appends text to out with each stand-in replaced by its node's hash.
func (s *standIns) fill(out []byte, text string) ([]byte, bool) {
	for {
		i := strings.Index(text, standInMark)
		if i < 0 {
			return append(out, text...), true
		}
		digits := text[i+len(standInMark):]
		if len(digits) < 4 {
			return nil, false
		}
		k := 0
		for _, c := range digits[:4] {
			switch {
			case '0' <= c && c <= '9':
				k = k<<4 | int(c-'0')
			case 'a' <= c && c <= 'f':
				k = k<<4 | int(c-'a'+10)
			default:
				return nil, false
			}
		}
		if k >= len(s.nodes) {
			return nil, false
		}
		out = append(out, text[:i+1]...)
		out = append(out, s.nodes[k].hash...)
		text = digits[4:]
	}
}
