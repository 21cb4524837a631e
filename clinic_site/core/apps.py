from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinic_site.core"
    verbose_name = "Site"
