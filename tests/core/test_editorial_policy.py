"""The editorial policy page: what it promises, and that every page links to it."""

import pytest
from django.urls import reverse

from tests.factories import make_article
from tests.helpers import assert_says

pytestmark = pytest.mark.django_db

POLICY_TITLE = "How we write and check this information"


def policy_links(html: str) -> int:
    return html.count(f'href="{reverse("sitewide:editorial_policy")}"')


def test_every_page_links_to_the_editorial_policy_in_its_footer(client):
    article = make_article()
    pages = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        "/articles/search/?q=ketamine",
        "/privacy/",
        reverse("sitewide:editorial_policy"),
        "/contact/",
        "/no-such-page/",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        footer = html[html.index('<footer class="site-footer">') :]
        assert policy_links(footer) == 1, url
        assert POLICY_TITLE in footer, url


def test_each_articles_byline_links_to_the_editorial_policy(client):
    html = client.get(make_article().get_absolute_url()).content.decode()

    start = html.index('<header class="article__header">')
    header = html[start : html.index("</header>", start)]
    assert policy_links(header) == 1


def test_policy_page_covers_what_readers_need_to_judge_the_articles(client, settings):
    settings.CLINIC_NAME = "Riverside Infusion Clinic"
    settings.CLINIC_EMAIL = "editors@riverside.example"
    settings.CLINICAL_REVIEW_INTERVAL_MONTHS = 9

    response = client.get(reverse("sitewide:editorial_policy"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{POLICY_TITLE}</h1>" in html
    # The conflict of interest, said plainly.
    assert (
        "published by Riverside Infusion Clinic, a clinic that provides ketamine infusions" in html
    )
    # Who writes, how a clinician reviews, sources, review interval, reporting a mistake.
    for heading in (
        "Who writes the pages",
        "How a clinician checks them",
        "How we choose sources",
        "How often we check pages",
        "How to tell us about a mistake",
    ):
        assert f">{heading}</h2>" in html, heading
    assert_says(
        html,
        "only after that named clinician has checked it and signed it off",
        "has not yet had that clinical check",
        "at least once every 9 months",
        'href="mailto:editors@riverside.example"',
        "Was this page helpful?",
    )


def test_policy_page_is_in_the_sitemap(client):
    xml = client.get("/sitemap.xml").content.decode()

    assert reverse("sitewide:editorial_policy") in xml
