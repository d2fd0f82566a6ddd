package djangoinit

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Options says where to write and how to read the project. The zero value
// writes assets.toml in the current directory.
type Options struct {
	// Config is the file to write; default "assets.toml". The project is
	// its directory: manage.py is looked for there, and the paths
	// written are relative to it.
	Config string
	// Force overwrites an existing Config.
	Force bool
	// Python is the interpreter that imports the project's settings, a
	// program name or a path; default: the one manage.py's #! line
	// names, if it is there, else python3 (then python).
	Python string
	// Settings is the settings module; default: $DJANGO_SETTINGS_MODULE,
	// else the one manage.py's os.environ.setdefault names.
	Settings string
}

// Result is what Init wrote.
type Result struct {
	Config   string // the file written
	Settings string // the settings module read; "" for a starter config (no manage.py)
	Python   string // the interpreter that read them
	Django   string // Django's version
	Roots    int    // [[root]] tables written
	Bundles  int    // bundles written, from PIPELINE
	// Unsupported lists what the project uses and stapler does not do,
	// each also a comment in the file: a pipeline compiler, a variant,
	// a finder with no counterpart.
	Unsupported []string
	// Notes are what the starter config guessed, or what else the user
	// should know; each is a comment in the file too.
	Notes []string
}

// ErrExists is the cause of Init's error when the config exists and
// Options.Force is not set.
var ErrExists = errors.New("exists")

// PythonError is Init's error when the project's Python could not read
// the settings.
type PythonError struct {
	Python   string // the command run
	Settings string // the module it was asked to read
	Err      error  // how it ended
	LastLine string // the last line it printed on stderr: Python's exception
	Stderr   string // all it printed on stderr
}

func (e *PythonError) Error() string {
	msg := fmt.Sprintf("%s could not read the settings %s", e.Python, e.Settings)
	if e.LastLine != "" {
		msg += ": " + e.LastLine
	} else {
		msg += ": " + e.Err.Error()
	}
	if strings.Contains(e.LastLine, "No module named 'django'") {
		msg += " (is Django installed for this Python? --python names the project's own)"
	}
	return msg
}

func (e *PythonError) Unwrap() error { return e.Err }

//go:embed settings.py
var settingsScript string

// Init writes an assets.toml for the Django project in the directory of
// opts.Config: from its settings, read by the project's own Python, when
// manage.py is there; otherwise a starter config from the directories it
// finds (static/, */static/, templates/, */templates/).
func Init(ctx context.Context, opts Options) (*Result, error) {
	config := opts.Config
	if config == "" {
		config = "assets.toml"
	}
	dir := filepath.Dir(config)
	if !opts.Force {
		if _, err := os.Lstat(config); err == nil {
			return nil, fmt.Errorf("%s %w: --force overwrites it", config, ErrExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	p := &project{dir: dir}
	if abs, err := filepath.Abs(dir); err == nil {
		p.abs = []string{abs}
		if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
			p.abs = append(p.abs, real)
		}
	}
	manage := filepath.Join(dir, "manage.py")
	var text []byte
	var res *Result
	if src, err := os.ReadFile(manage); err == nil {
		s, err := readSettings(ctx, dir, src, opts)
		if err != nil {
			return nil, err
		}
		text, res = p.render(s)
	} else if errors.Is(err, fs.ErrNotExist) {
		text, res, err = p.starter()
		if err != nil {
			return nil, err
		}
	} else {
		return nil, err
	}
	res.Config = config
	if err := writeFile(config, text); err != nil {
		return nil, err
	}
	return res, nil
}

// writeFile writes data to name through a temporary file renamed into
// place, so that an existing config is replaced whole or not at all.
func writeFile(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".assets.toml.*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// settingsDefault finds manage.py's os.environ.setdefault("DJANGO_SETTINGS_MODULE", "…").
var settingsDefault = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([^"'\s]+)["']\s*\)`)
})

// settingsModule returns the module manage.py would import: the option,
// else $DJANGO_SETTINGS_MODULE (which manage.py's setdefault keeps), else
// manage.py's default.
func settingsModule(manage []byte, opts Options) (string, error) {
	if opts.Settings != "" {
		return opts.Settings, nil
	}
	if env := os.Getenv("DJANGO_SETTINGS_MODULE"); env != "" {
		return env, nil
	}
	if m := settingsDefault().FindSubmatch(manage); m != nil {
		return string(m[1]), nil
	}
	return "", errors.New(`manage.py sets no DJANGO_SETTINGS_MODULE (os.environ.setdefault("DJANGO_SETTINGS_MODULE", "…")): name the settings module with --settings`)
}

// pythonCommand returns the interpreter and its leading arguments: the
// option, else what manage.py's #! line names when that exists, else
// python3, else python.
func pythonCommand(manage []byte, opt string) ([]string, error) {
	if opt != "" {
		return []string{opt}, nil
	}
	if line, _, _ := bytes.Cut(manage, []byte("\n")); bytes.HasPrefix(line, []byte("#!")) {
		f := strings.Fields(strings.TrimSpace(string(line[2:])))
		if len(f) > 0 && filepath.Base(f[0]) == "env" {
			f = f[1:]
			for len(f) > 0 && strings.HasPrefix(f[0], "-") { // env -S
				f = f[1:]
			}
			if len(f) > 0 {
				if _, err := exec.LookPath(f[0]); err == nil {
					return f, nil
				}
			}
		} else if len(f) > 0 {
			if st, err := os.Stat(f[0]); err == nil && !st.IsDir() {
				return f, nil
			}
		}
	}
	for _, name := range []string{"python3", "python"} {
		if _, err := exec.LookPath(name); err == nil {
			return []string{name}, nil
		}
	}
	return nil, errors.New("no python3 or python in $PATH: --python names the project's Python")
}

// readSettings runs settings.py with the project's Python.
func readSettings(ctx context.Context, dir string, manage []byte, opts Options) (*settings, error) {
	module, err := settingsModule(manage, opts)
	if err != nil {
		return nil, err
	}
	python, err := pythonCommand(manage, opts.Python)
	if err != nil {
		return nil, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	args := append(python[1:], "-c", settingsScript, absDir, module)
	cmd := exec.CommandContext(ctx, python[0], args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	name := strings.Join(python, " ")
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, fmt.Errorf("running %s: %w (--python names the project's Python)", name, err)
		}
		return nil, &PythonError{Python: name, Settings: module, Err: err, LastLine: lastLine(stderr.String()), Stderr: stderr.String()}
	}
	var s settings
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		return nil, fmt.Errorf("%s printed what stapler cannot read: %v", name, err)
	}
	if len(s.NotUTF8) > 0 {
		return nil, fmt.Errorf("the settings %s name %d path%s that assets.toml cannot hold, not being valid UTF-8 (rename each, or link it under a UTF-8 name): %s",
			module, len(s.NotUTF8), plural(len(s.NotUTF8)), strings.Join(s.NotUTF8, "; "))
	}
	s.command = name
	return &s, nil
}

// lastLine returns the last line of text that is not blank.
func lastLine(text string) string {
	var last string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			last = l
		}
	}
	return last
}

// settings is what settings.py prints.
type settings struct {
	Python         string    `json:"python"`
	PythonVersion  string    `json:"python_version"`
	DjangoVersion  string    `json:"django_version"`
	Django         [2]int    `json:"django"`
	Settings       string    `json:"settings"`
	InstalledApps  []string  `json:"installed_apps"`
	StaticfilesApp string    `json:"staticfiles_app"`
	IgnorePatterns *[]string `json:"ignore_patterns"`
	Finders        []struct {
		Path           string   `json:"path"`
		Class          string   `json:"class"`
		Kind           string   `json:"kind"`
		IgnorePatterns []string `json:"ignore_patterns"`
		Locations      []struct {
			Prefix string `json:"prefix"`
			Path   string `json:"path"`
		} `json:"locations"`
		Apps []struct {
			App  string `json:"app"`
			Path string `json:"path"`
		} `json:"apps"`
	} `json:"finders"`
	Collected *[]string `json:"collected"` // the names collectstatic would copy, sorted
	// How many more it would copy whose names are not valid UTF-8, left
	// out of Collected: stapler build reports each (bad-name).
	CollectedNotUTF8 int `json:"collected_not_utf8"`
	// Each setting that names a path that is not valid UTF-8, which
	// assets.toml cannot hold, with the path, its other bytes as \xNN.
	NotUTF8      []string `json:"not_utf8"`
	CollectError string   `json:"collect_error"`
	StaticRoot   *string  `json:"static_root"`
	StaticURL    *string  `json:"static_url"`
	Storage      struct {
		Setting              string `json:"setting"`
		Backend              string `json:"backend"`
		Class                string `json:"class"`
		Manifest             bool   `json:"manifest"`
		ManifestName         string `json:"manifest_name"`
		WhitenoiseCompressed bool   `json:"whitenoise_compressed"`
		Pipeline             bool   `json:"pipeline"`
	} `json:"storage"`
	Templates []struct {
		Engine  int    `json:"engine"`
		Backend string `json:"backend"`
		App     string `json:"app"`
		Path    string `json:"path"`
	} `json:"templates"`
	Pipeline *pipelineSettings `json:"pipeline"`

	command string // how the Python was run
}

// pipelineSettings is PIPELINE, as django-pipeline resolves it when it is
// installed.
type pipelineSettings struct {
	Installed        bool            `json:"installed"`
	Stylesheets      []pipelineGroup `json:"stylesheets"`
	Javascript       []pipelineGroup `json:"javascript"`
	DisableWrapper   bool            `json:"disable_wrapper"`
	JSWrapper        string          `json:"js_wrapper"`
	DefaultJSWrapper bool            `json:"default_js_wrapper"`
	Settings         map[string]any  `json:"settings"`
}

type pipelineGroup struct {
	Name    string `json:"name"`
	Sources []struct {
		Pattern  string `json:"pattern"`
		Template bool   `json:"template"`
		Compiler string `json:"compiler"`
		Compiled string `json:"compiled"`
	} `json:"sources"`
	Output string         `json:"output"`
	Other  map[string]any `json:"other"`
}
