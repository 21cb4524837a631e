from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinic_site.accounts"
    verbose_name = "Staff accounts"
