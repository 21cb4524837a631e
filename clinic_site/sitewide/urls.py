from django.urls import path

from . import views

app_name = "sitewide"
urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("editorial-policy/", views.editorial_policy, name="editorial_policy"),
]
