// Package suggest is stapler's one did-you-mean: given a name that is not
// there and the names that are, [Nearest] returns the few a person most
// likely meant, best first.
//
// The command (a bundle's source not in any root, an unknown config key,
// a template naming a file the manifest lacks) and a Go web app looking a
// name up in the manifest (manifest.URL, the asset template function) both
// rank with it, so the two never suggest different files for the same
// mistake. It imports only the standard library, because the manifest
// package, which web apps compile in, calls it. The Django app in django/
// ranks with a port of it to Python; the tests there (TestAgreesWithGo,
// TestTags) hold the port to the same answers.
//
// # Ranking
//
// Candidates come in three ranks, and within a rank by fewer edits, then
// by name, so the answer is the same on every run:
//
//  1. a name that differs only in case ("JS/APP.js" for "js/app.js"):
//     almost certainly the file meant, written on a case-insensitive disk
//     (macOS, Windows) where the wrong case still opened it;
//  2. a name within a few edits (a typo): Levenshtein distance at most a
//     third of the last path element's length, and never less than 2,
//     so that a long directory shared by every candidate does not make
//     unrelated names close;
//  3. a name with the same last element in another directory (a file
//     that moved), nearest directory first.
//
// At most three are returned; none when nothing is close.
package suggest
