package suggest

import (
	"path"
	"slices"
	"strings"
)

// most is how many names Nearest returns at most: enough to hold the
// likely one when two are equally near, few enough to read in one line.
const most = 3

// Nearest returns the candidates nearest to name, best first, at most
// three, ranked as the package documentation says. It is the did-you-mean
// of every not-found error stapler reports, from the command and from the
// manifest package alike.
func Nearest(name string, candidates []string) []string {
	type candidate struct {
		name string
		dist int
	}
	// The limit scales with the last element only: a long directory
	// shared by every candidate must not make unrelated names "close".
	base := path.Base(name)
	limit := max(2, len([]rune(base))/3)
	target := []rune(name)
	var best []candidate
	for _, c := range candidates {
		var d int
		switch {
		case strings.EqualFold(c, name):
			d = 0 // the wrong case: ahead of every typo, which is 1 or more
		default:
			d = distance(target, []rune(c), limit)
			if d > limit {
				if path.Base(c) != base {
					continue
				}
				// Moved files rank after every typo, nearest directory first.
				d = limit + 1 + distance([]rune(path.Dir(name)), []rune(path.Dir(c)), len(c)+len(name))
			}
		}
		best = append(best, candidate{c, d})
	}
	slices.SortFunc(best, func(a, b candidate) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	var names []string
	for _, c := range best[:min(len(best), most)] {
		names = append(names, c.name)
	}
	return names
}

// distance returns the Levenshtein distance between a and b, or some
// number above limit as soon as it is sure to exceed limit.
func distance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
