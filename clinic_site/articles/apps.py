from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "clinic_site.articles"
    verbose_name = "Articles"
