"""The shipped articles follow the clinic's writing rules."""

import re
from pathlib import Path

import frontmatter
import pytest
from django.conf import settings

CONTENT = Path(settings.BASE_DIR) / "content"
FILES = sorted(CONTENT.glob("*.md"))
REQUIRED_SLUGS = {
    "how-ketamine-infusion-works",
    "how-long-does-relief-last",
    "addiction-and-misuse-concerns",
    "who-should-avoid-ketamine",
    "conditions-ketamine-is-used-for",
    "what-to-expect-at-an-appointment",
    "frequently-asked-questions",
}
PROMISES = re.compile(
    r"\b(guarantee\w*|instant(ly)?|miracle|breakthrough|revolutionary|proven|"
    r"most reliable|outperform\w*|works? right away|100 ?%)\b",
    re.IGNORECASE,
)


def test_every_required_topic_has_an_article():
    assert {frontmatter.load(path)["slug"] for path in FILES} >= REQUIRED_SLUGS


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_article_makes_no_promises(path):
    body = frontmatter.load(path).content
    # "Does it work right away?" is a fair question; the answer must not promise.
    found = [m.group(0) for m in PROMISES.finditer(body) if not body[m.end() :].startswith("?")]
    assert found == []


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_article_claims_no_clinical_review_it_has_not_had(path):
    post = frontmatter.load(path)
    assert "reviewed_by" not in post.metadata
    assert "last_reviewed" not in post.metadata


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_article_points_the_reader_to_a_clinician(path):
    body = frontmatter.load(path).content.lower()
    assert any(word in body for word in ("clinician", "doctor", "care team", "medical team"))


def test_faq_headings_are_all_questions():
    faq = frontmatter.load(CONTENT / "frequently-asked-questions.md").content
    headings = re.findall(r"^## (.+)$", faq, re.MULTILINE)
    assert len(headings) >= 9
    assert all(heading.strip().endswith("?") for heading in headings)


def test_off_label_status_and_side_effects_are_stated():
    text = " ".join(frontmatter.load(path).content.lower() for path in FILES)
    assert "off-label" in text
    for effect in ("nausea", "dizz", "blood pressure"):
        assert effect in text
