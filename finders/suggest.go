package finders

import (
	"path"
	"slices"
	"strings"
)

// maxSuggestions is how many names a not-found error suggests at most.
const maxSuggestions = 3

// suggest returns the logical names of files nearest to name, best first:
// those within a few edits of it (a typo), then those with the same base
// name in another directory (a file that moved). Ties go by name, so the
// answer is the same on every run.
func suggest(name string, files []File) []string {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Name
	}
	return Suggest(name, names)
}

// Suggest returns the candidates nearest to name, best first, at most
// three: those within a few edits of it (a typo), then those with the same
// last path element elsewhere (a file that moved). Ties go by name. It is
// the did-you-mean of not-found errors, for callers with other names to
// check (a config's keys).
func Suggest(name string, candidates []string) []string {
	type candidate struct {
		name string
		dist int
	}
	// The limit scales with the last element only: a long directory
	// shared by every candidate must not make unrelated names "close".
	limit := max(2, len([]rune(path.Base(name)))/3)
	base := path.Base(name)
	target := []rune(name)
	var best []candidate
	for _, c := range candidates {
		d := distance(target, []rune(c), limit)
		if d > limit {
			if path.Base(c) != base {
				continue
			}
			// Moved files rank after every typo, nearest directory first.
			d = limit + 1 + distance([]rune(path.Dir(name)), []rune(path.Dir(c)), len(c)+len(name))
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
	for _, c := range best[:min(len(best), maxSuggestions)] {
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
