"""What leads to contact: an article's link to the form carries the article, the request
records it, and the readership figures count requests per article and per week."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from clinic_site.intake.models import ContactRequest
from clinic_site.readership.figures import readership_figures
from tests.factories import form_data, make_article, make_contact_request, submit

pytestmark = pytest.mark.django_db


def test_the_article_page_links_to_the_contact_form_with_its_slug(client):
    make_article(slug="what-to-expect", title="What to expect")

    page = client.get("/articles/what-to-expect/").content.decode()

    assert 'href="/contact/?from=what-to-expect"' in page


def test_a_request_sent_from_an_articles_link_records_that_article(client):
    form = client.get("/contact/?from=what-to-expect").content.decode()
    assert 'name="from_article" value="what-to-expect"' in form

    response = submit(client, form_data(from_article="what-to-expect"))

    assert response.status_code == 302
    assert ContactRequest.objects.get().from_article == "what-to-expect"
    assert "from" not in client.cookies, "no cookie carries the article"


@pytest.mark.parametrize("sent", ["", "<b>x</b>", "a" * 101, "Ana Pérez", "../admin"])
def test_anything_but_a_slug_is_dropped(client, sent):
    response = submit(client, form_data(from_article=sent))

    assert response.status_code == 302
    assert ContactRequest.objects.get().from_article == ""


def test_a_request_without_an_article_records_none(client):
    submit(client)

    assert ContactRequest.objects.get().from_article == ""


@time_machine.travel("2026-03-04 17:00:00+00:00", tick=False)
def test_the_figures_count_requests_per_article_and_per_week():
    make_article(slug="dose", title="Dose")
    make_article(slug="cost", title="Cost")
    now = timezone.now()
    for when, slug in [
        (now, "dose"),
        (now - timedelta(hours=1), "dose"),
        (now - timedelta(weeks=1), "cost"),
        (now - timedelta(weeks=1), ""),  # came straight to the form
        (now - timedelta(weeks=20), "dose"),  # before the 12 weeks shown
        (now, "no-longer-published"),
    ]:
        make_contact_request(created_at=when, from_article=slug)

    figures = readership_figures()

    assert [week.contacts for week in figures.weeks][-2:] == [1, 3]
    assert sum(week.contacts for week in figures.weeks) == 4
    assert [(row.info.slug, row.contacts) for row in figures.contact_articles] == [
        ("dose", 2),
        ("cost", 1),
    ]
    assert figures.contacts_from_unknown == 1


def test_the_page_after_feedback_links_to_the_contact_form_with_the_article(client):
    make_article(slug="what-to-expect", title="What to expect")

    page = client.post("/articles/what-to-expect/feedback/", {"helpful": "yes"}, follow=True)

    assert 'href="/contact/?from=what-to-expect"' in page.content.decode()
