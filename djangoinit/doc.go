// Package djangoinit writes an assets.toml for a Django project, from its
// settings as Django resolves them: what `stapler init` does.
//
// # Reading the settings
//
// [Init] runs the project's own Python (Options.Python; by default the
// interpreter manage.py's #! line names, when it is there, else python3)
// with a small script embedded in this package. The script does what
// manage.py does before a command runs: puts the project's directory
// first on sys.path, sets DJANGO_SETTINGS_MODULE (Options.Settings, else
// $DJANGO_SETTINGS_MODULE, else the module manage.py's
// os.environ.setdefault names) and calls django.setup(). It then asks
// Django rather than reading settings.py: the finders of
// STATICFILES_FINDERS as instantiated (FileSystemFinder's locations with
// their prefixes, AppDirectoriesFinder's apps with a static/ directory,
// in INSTALLED_APPS order), the staticfiles app's ignore_patterns, the
// names collectstatic would copy, STATIC_ROOT and STATIC_URL, the
// staticfiles storage (STORAGES["staticfiles"], or STATICFILES_STORAGE
// before Django 4.2) and Django's version, the template engines'
// directories (DIRS, and each app's when APP_DIRS or an app-directories
// loader says so), and PIPELINE as django-pipeline resolves it. A Python
// error is a [*PythonError] carrying Python's last line.
//
// # What it writes
//
// An annotated config: the #:schema line ([SchemaLine]); output and url;
// a [[root]] per finder directory in finder order, so that the first root
// wins as in Django; [collect] with the project's ignore patterns
// (default_excludes for Django's own), each checked to exclude something,
// and the names checked against those collectstatic copies; [manifest]
// django in the format the Django version reads; [templates] over the
// engines' directories; and a bundle per PIPELINE group, keeping its
// name (pipeline), its sources and its output, with wrap unless
// DISABLE_WRAPPER. What stapler does not do (pipeline's compilers,
// variant, JavaScript templates, extra_context, a finder with no
// counterpart) is a comment where it applies and in [Result].Unsupported,
// never dropped in silence.
//
// Without manage.py, Init writes a commented starter config from the
// static/, */static/, templates/ and */templates/ directories it finds.
// It never overwrites a config unless Options.Force is set ([ErrExists]).
package djangoinit
