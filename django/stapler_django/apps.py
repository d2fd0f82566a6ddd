from django.apps import AppConfig


class StaplerConfig(AppConfig):
    name = "stapler_django"
    verbose_name = "stapler"
