from django.urls import path
from django.views.generic import TemplateView

app_name = "intake"
urlpatterns = [
    # Placeholder until the contact form lands (issue 3).
    path("", TemplateView.as_view(template_name="intake/contact_placeholder.html"), name="contact"),
]
