"""What search engines and link previews read: titles, descriptions, canonical URLs,
Open Graph tags, JSON-LD, the sitemap and robots.txt."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic_site.articles.models import Article
from clinic_site.articles.workflow import sign_off
from tests.factories import make_article, make_reviewer

from .document import Document
from .pages import ARTICLE_SLUGS

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/articles/", *[f"/articles/{slug}/" for slug in ARTICLE_SLUGS], "/contact/"]


def page(client, path: str, status: int = 200) -> Document:
    response = client.get(path)
    assert response.status_code == status, path
    return Document(response.content.decode())


def test_every_public_page_has_its_own_title_and_description(client, content, settings):
    titles, descriptions = set(), set()
    for path in PUBLIC_PAGES:
        doc = page(client, path)
        assert doc.title.endswith(f" | {settings.CLINIC_NAME}"), path
        assert len(doc.title) <= 90, path
        description = doc.meta(name="description")
        assert 50 <= len(description) <= 160, (path, description)
        titles.add(doc.title)
        descriptions.add(description)
    assert len(titles) == len(PUBLIC_PAGES)
    # Every article has its own summary; the home page and the contact page their own.
    assert len(descriptions) == len(PUBLIC_PAGES)


def test_article_description_and_open_graph_come_from_the_article(client, content):
    article = Article.objects.get(slug="how-long-does-relief-last")

    doc = page(client, article.get_absolute_url())

    assert doc.title == f"{article.title} | Example Infusion Clinic"
    assert doc.meta(name="description") == article.summary
    assert doc.meta(property="og:title") == article.title
    assert doc.meta(property="og:description") == article.summary
    assert doc.meta(property="og:type") == "article"
    assert doc.meta(property="og:url") == f"http://testserver{article.get_absolute_url()}"
    assert doc.meta(property="og:site_name") == "Example Infusion Clinic"


def test_canonical_url_is_absolute_and_drops_the_query_string(client, content):
    for path in PUBLIC_PAGES:
        doc = page(client, path + "?utm_source=newsletter&ref=x")
        assert doc.link("canonical") == f"http://testserver{path}", path


def test_not_found_page_is_noindex_and_claims_no_canonical_url(client):
    doc = page(client, "/no-such-page/", status=404)

    assert doc.meta(name="robots") == "noindex"
    assert doc.all("link", rel="canonical") == []


def test_public_pages_are_indexable(client, content):
    for path in PUBLIC_PAGES:
        assert page(client, path).all("meta", name="robots") == [], path


def test_home_page_describes_the_clinic_from_settings(client, content, settings):
    settings.CLINIC_NAME = "Harbour Infusion Clinic"
    settings.CLINIC_PHONE = "(555) 010-0999"
    settings.CLINIC_ADDRESS = "1 Harbour Road, Springfield"
    settings.CLINIC_EMAIL = "desk@harbour.example"

    clinic = page(client, "/").json_ld_of_type("MedicalClinic")

    assert clinic["@context"] == "https://schema.org"
    assert clinic["name"] == "Harbour Infusion Clinic"
    assert clinic["telephone"] == "(555) 010-0999"
    assert clinic["address"] == "1 Harbour Road, Springfield"
    assert clinic["email"] == "desk@harbour.example"
    assert clinic["url"] == "http://testserver/"


def test_every_article_is_a_medical_web_page(client, content):
    for slug in ARTICLE_SLUGS:
        article = Article.objects.get(slug=slug)
        data = page(client, article.get_absolute_url()).json_ld_of_type("MedicalWebPage")
        assert data["@context"] == "https://schema.org"
        assert data["name"] == article.title
        assert data["description"] == article.summary
        assert data["url"] == f"http://testserver{article.get_absolute_url()}"
        assert data["inLanguage"] == "en-US"
        assert date.fromisoformat(data["dateModified"][:10]) == article.updated_at.date()
        crumbs = [item["name"] for item in data["breadcrumb"]["itemListElement"]]
        assert crumbs == ["Home", "Articles", article.title]
        # The shipped articles have not been through a clinical review yet.
        assert "lastReviewed" not in data and "reviewedBy" not in data


def test_reviewed_article_names_its_reviewer_and_review_date(client):
    reviewed_on = timezone.localdate() - timedelta(days=12)
    article = make_article(title="Reviewed page")
    reviewer, _ = make_reviewer(display_name="Dr Sam Example", credentials="MD")
    sign_off(article=article, reviewer=reviewer, today=reviewed_on)

    data = page(client, article.get_absolute_url()).json_ld_of_type("MedicalWebPage")

    assert data["lastReviewed"] == reviewed_on.isoformat()
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr Sam Example, MD"}


def test_a_date_without_a_reviewer_is_not_a_review(client):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(
        last_reviewed=timezone.localdate(), reviewed_by="Typed by an editor"
    )

    data = page(client, article.get_absolute_url()).json_ld_of_type("MedicalWebPage")

    assert "lastReviewed" not in data and "reviewedBy" not in data


def test_faq_page_lists_each_question_with_its_answer(client, content):
    faq = Article.objects.get(slug="frequently-asked-questions")
    questions = [h["title"] for h in faq.headings if h["title"].endswith("?")]

    data = page(client, faq.get_absolute_url()).json_ld_of_type("FAQPage")

    assert "MedicalWebPage" in data["@type"]
    entities = data["mainEntity"]
    assert [entity["name"] for entity in entities] == questions
    assert len(entities) >= 9
    for entity in entities:
        assert entity["@type"] == "Question"
        assert entity["acceptedAnswer"]["@type"] == "Answer"
        assert len(entity["acceptedAnswer"]["text"]) > 40, entity["name"]
        assert "<" not in entity["acceptedAnswer"]["text"]  # plain text, no markup
    first = entities[0]["acceptedAnswer"]["text"]
    assert first.startswith("For some people, a change in mood may come within hours")
    # An answer stops where the next question starts.
    assert entities[1]["name"] not in first


def test_only_the_faq_is_an_faq_page(client, content):
    doc = page(client, "/articles/how-ketamine-infusion-works/")

    assert all("FAQPage" not in str(item["@type"]) for item in doc.json_ld)


def test_json_ld_cannot_be_broken_out_of_by_article_text(client):
    title = "Odd </script><script>alert(1)</script> & <b>title</b>"
    article = make_article(title=title)

    html = client.get(article.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)

    assert "<" not in block.group(1) and ">" not in block.group(1) and "&" not in block.group(1)
    assert Document(html).json_ld_of_type("MedicalWebPage")["name"] == title


def test_sitemap_gives_each_article_its_last_modified_date(client, content):
    xml = client.get("/sitemap.xml").content.decode()

    entries = dict(re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", xml))
    for article in Article.objects.all():
        url = f"http://testserver{article.get_absolute_url()}"
        assert entries[url] == timezone.localdate(article.updated_at).isoformat(), url
    assert "http://testserver/</loc>" in xml


def test_robots_txt_never_names_the_admin_even_when_it_has_moved(client, settings):
    settings.ADMIN_URL = "staff-area-7f3k/"

    body = client.get("/robots.txt").content.decode()

    assert "staff-area" not in body and "admin" not in body
    disallowed = [
        line.split(":", 1)[1].strip() for line in body.splitlines() if line.startswith("Disallow")
    ]
    assert not any(path in ("/", "/articles/") for path in disallowed)
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_admin_pages_tell_crawlers_not_to_index_them(client):
    response = client.get(reverse("admin:login"))

    assert response["X-Robots-Tag"] == "noindex, nofollow"
