from django.urls import path

from . import views

app_name = "articles"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("search/", views.search, name="search"),
    path("<slug:slug>/", views.article_detail, name="detail"),
    path("<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/feedback/thanks/", views.feedback_thanks, name="feedback_thanks"),
    path("<slug:slug>/draft/", views.article_draft, name="draft"),
    path("<slug:slug>/revisions/<int:history_id>/", views.article_revision, name="revision"),
]
