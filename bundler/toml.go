package bundler

import (
	"errors"

	"github.com/stapler-build/stapler/bundler/internal/tomlpos"
)

// parseTOML parses a config into its tree of positioned values, or
// returns the first syntax or structure error as a diagnostic at its
// place.
func parseTOML(file string, data []byte) (*tomlpos.Table, *Diagnostic) {
	top, err := tomlpos.Parse(data)
	if err == nil {
		return top, nil
	}
	d := &Diagnostic{Pos: Position{File: file, Line: 1, Col: 1}, Code: CodeSyntax, Err: err, Message: "invalid TOML: " + err.Error()}
	var se *tomlpos.SyntaxError
	if errors.As(err, &se) {
		d.Pos.Line, d.Pos.Col = se.Pos.Line, se.Pos.Col
		d.Message = "invalid TOML: " + se.Msg
		d.Err = se.Err
	}
	return nil, d
}
