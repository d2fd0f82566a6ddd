from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Django's documented way to set collectstatic's ignore patterns."""

    ignore_patterns = StaticFilesConfig.ignore_patterns + ["*.scss", "README*"]
