"""The pages the front-end checks cover, and how a browser reaches each one.

The axe-core check and the HTML validation run on the same list: the home page, the
article list, every shipped article, the contact form (empty, with errors, and the
thank-you page) and the 404 page; and the privacy notice and search results too.
"""

from pathlib import Path

import frontmatter
from django.conf import settings

CONTENT = Path(settings.BASE_DIR) / "content"
ARTICLE_SLUGS = sorted(frontmatter.load(path)["slug"] for path in CONTENT.glob("*.md"))
# The Spanish articles: the shipped translations (content/es/), or, until there are any,
# one sample translation of a shipped article kept with the tests (see
# import_spanish_sample).
SPANISH_SAMPLE = Path(__file__).parent / "spanish_sample"
SPANISH_FILES = sorted((CONTENT / "es").glob("*.md")) or sorted(
    (SPANISH_SAMPLE / "es").glob("*.md")
)
SPANISH_SLUGS = sorted(frontmatter.load(path)["slug"] for path in SPANISH_FILES)
assert SPANISH_SLUGS, "no Spanish article to check"

# The English pages every reader can reach, the 404 page among them, by path.
ENGLISH_PAGES = [
    "/",
    "/articles/",
    *[f"/articles/{slug}/" for slug in ARTICLE_SLUGS],
    "/contact/",
    "/privacy/",
    "/no-such-page/",
]

SIMPLE_PAGES = {
    "home": ("/", 200),
    "article-list": ("/articles/", 200),
    **{f"article-{slug}": (f"/articles/{slug}/", 200) for slug in ARTICLE_SLUGS},
    "contact": ("/contact/", 200),
    "not-found": ("/no-such-page/", 404),
    # Beyond the list, the other pages a reader reaches from every page.
    "privacy": ("/privacy/", 200),
    "search-results": ("/articles/search/?q=side+effects", 200),
    "editorial-policy": ("/editorial-policy/", 200),
    # The Spanish side (issue 16): home, list, every Spanish article, contact, search.
    "home-es": ("/es/", 200),
    "article-list-es": ("/es/articles/", 200),
    **{f"article-es-{slug}": (f"/es/articles/{slug}/", 200) for slug in SPANISH_SLUGS},
    "contact-es": ("/es/contact/", 200),
    "not-found-es": ("/es/no-such-page/", 404),
    "search-results-es": ("/es/articles/search/?q=ketamina", 200),
}
FORM_PAGES = ["contact-with-errors", "contact-thanks"]
ALL_PAGES = [*SIMPLE_PAGES, *FORM_PAGES]

# A complete, valid contact request, as a patient would type it.
PATIENT = {
    "name": "Alex Example",
    "email": "alex@example.com",
    "phone": "555 010 0199",
    "message": "I would like to know whether ketamine infusions could help with my depression.",
}


def open_page(page, base_url: str, name: str):
    """Bring ``page`` to the named state; returns the response of its HTML document."""
    if name in SIMPLE_PAGES:
        path, status = SIMPLE_PAGES[name]
        response = page.goto(base_url + path)
        assert response.status == status, f"{name}: HTTP {response.status}"
        return response
    page.goto(base_url + "/contact/")
    if name == "contact-with-errors":
        response = submit_contact_form(page)
        assert response.status == 200, f"{name}: HTTP {response.status}"
        assert page.locator(".error-summary").is_visible()
        return response
    if name == "contact-thanks":
        fill_contact_form(page)
        response = submit_contact_form(page)
        assert response.status == 200, f"{name}: HTTP {response.status}"
        assert response.url.endswith("/contact/thanks/"), response.url
        return response
    raise ValueError(f"unknown page {name!r}")


def fill_contact_form(page, *, email: str = PATIENT["email"]) -> None:
    page.get_by_label("Your name").fill(PATIENT["name"])
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Phone number (optional)").fill(PATIENT["phone"])
    choose(page, "How would you like us to contact you?", "Email")
    choose(page, "What would you like to talk to us about?", "Depression")
    page.get_by_label("Your message").fill(PATIENT["message"])
    page.locator("input[name=consent]").check()


def choose(page, question: str, answer: str) -> None:
    """Tick ``answer`` in the group of radio buttons that asks ``question``."""
    page.get_by_role("group", name=question).get_by_label(answer).check()


def submit_contact_form(page):
    """Press the form's button; returns the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send your request").click()
    return navigation.value


def import_spanish_sample() -> None:
    """Until content/es/ ships translations, the sample one, so the Spanish article
    page is checked like the English ones (the import refuses it if its original is
    gone)."""
    from clinic_site.articles.importer import import_content

    if not list((CONTENT / "es").glob("*.md")):
        report = import_content(directory=SPANISH_SAMPLE)
        assert not report.failed, [result.problem for result in report.failed]
