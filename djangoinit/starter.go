package djangoinit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// skipDirs are directories whose static/ or templates/ are no project's.
var skipDirs = []string{"node_modules", "staticfiles", "venv", "env", "site-packages", "build", "dist"}

// starter writes a commented config for a project without manage.py,
// from the directories it finds: static/ and */static/ as roots,
// templates/ and */templates/ for [templates].
func (p *project) starter() ([]byte, *Result, error) {
	res := &Result{}
	var statics, templates []string
	if st, err := os.Stat(filepath.Join(p.dir, "static")); err == nil && st.IsDir() {
		statics = append(statics, "static")
	}
	if st, err := os.Stat(filepath.Join(p.dir, "templates")); err == nil && st.IsDir() {
		templates = append(templates, "templates")
	}
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries { // sorted by name
		n := e.Name()
		if !e.IsDir() || strings.HasPrefix(n, ".") || slices.Contains(skipDirs, n) {
			continue
		}
		for _, sub := range []string{"static", "templates"} {
			if st, err := os.Stat(filepath.Join(p.dir, n, sub)); err == nil && st.IsDir() {
				if sub == "static" {
					statics = append(statics, n+"/static")
				} else {
					templates = append(templates, n+"/templates")
				}
			}
		}
	}
	if len(statics) == 0 {
		dir, _ := filepath.Abs(p.dir)
		return nil, nil, errors.New("found neither manage.py nor a static/ or */static/ directory in " + dir + ": run stapler init in the Django project's directory, where manage.py is")
	}

	w := &writer{res: res}
	w.line("%s", SchemaLine)
	w.comment("A starter config for stapler, written by `stapler init` from the directories it found:\n" +
		"there is no manage.py here, so no settings were read. Check each value against the settings\n" +
		"(the comments name them), then `stapler check`. Every key is in docs/config.md.")
	w.line("")
	w.comment("STATIC_ROOT: where stapler build writes. Set it to yours.")
	w.line("output = %s", quote("staticfiles"))
	w.comment("STATIC_URL")
	w.line("url = %s", quote("/static/"))
	w.line("")
	w.comment("The roots, searched in this order: for each name, the first root that holds it wins.\n" +
		"Django searches STATICFILES_DIRS first, in order, then each app's static/ in INSTALLED_APPS\n" +
		"order: put them in that order, and add a prefix where STATICFILES_DIRS has (\"prefix\", path).\n" +
		"These are the directories named static/ found here, in name order.")
	for _, s := range statics {
		w.line("[[root]]")
		w.line("path = %s", quote(literalPath(s)))
		res.Roots++
	}
	res.Notes = append(res.Notes, fmt.Sprintf("the roots are the static/ directories found (%s), in name order: put them in the order of STATICFILES_DIRS, then INSTALLED_APPS", strings.Join(statics, ", ")))
	w.line("")
	w.comment("Every file of the roots too, as collectstatic copies them; Django's default ignore\n" +
		"patterns (CVS, .*, *~) are left out. Add the project's own to exclude.")
	w.line("[collect]")
	w.line("")
	w.comment("staticfiles.json, for ManifestStaticFilesStorage. \"1.0\" is read by every Django; Django 4.2\n" +
		"and later write \"1.1\".")
	w.line("[manifest]")
	w.line("django = true")
	w.line("django_version = %s", quote("1.0"))
	var globs []string
	for _, t := range templates {
		if exts := extsIn(filepath.Join(p.dir, filepath.FromSlash(t))); exts != nil {
			glob := "*." + exts[0]
			if len(exts) > 1 {
				glob = "*.{" + strings.Join(exts, ",") + "}"
			}
			globs = append(globs, literalPath(t)+"/**/"+glob)
		}
	}
	if len(globs) > 0 {
		w.line("")
		w.comment("Every {% static %} and pipeline tag in these templates must name a file the build makes.")
		w.line("[templates]")
		w.line("paths = %s", quoteList(globs))
	}
	w.line("")
	w.comment("A bundle for each PIPELINE group, as:\n" +
		"\n" +
		"[bundle.site]\n" +
		"pipeline = \"site\"                 # the group's name, which {% stylesheet 'site' %} names\n" +
		"output = \"css/site.css\"           # its output_filename\n" +
		"sources = [\"css/base.css\", \"css/*.css\"]  # its source_filenames\n" +
		"\n" +
		"With manage.py here, stapler init reads them from the settings.")
	return []byte(w.b.String()), res, nil
}
