from django.apps import AppConfig


class StaplerConfig(AppConfig):
    name = "stapler_django"
    verbose_name = "stapler"

    def ready(self):
        from . import checks  # noqa: F401  registers the system checks
