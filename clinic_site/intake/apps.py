from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "clinic_site.intake"
    verbose_name = "Front desk"
