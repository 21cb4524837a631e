from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/", views.thanks, name="thanks"),
]
