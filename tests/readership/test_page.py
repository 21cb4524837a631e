"""The readership page and its CSV: the dashboard's people only, every figure in a table."""

import csv
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinic_site.accounts.roles import CLINICAL_REVIEWER, EDITOR, FRONT_DESK, setup_roles
from clinic_site.articles.models import Feedback
from clinic_site.readership.models import ExcludedHits, PageViews, UnansweredSearch
from tests.factories import make_article, make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

PAGE = reverse("admin:readership")
CSV = reverse("admin:readership_csv")
NOW = "2026-03-04 17:00:00+00:00"  # a Wednesday


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def figures(db, clock):
    setup_roles()
    today = timezone.localdate()
    dose = make_article(slug="dose", title="Your dose")
    make_article(slug="dosis", title="Su dosis", language="es")
    Feedback.objects.create(article=dose, helpful=True)
    Feedback.objects.create(article=dose, helpful=False)
    PageViews.objects.add(41, day=today, path="/articles/dose/", language="en", referrer="")
    PageViews.objects.add(
        7, day=today, path="/articles/dose/", language="en", referrer="www.search.example"
    )
    PageViews.objects.add(5, day=today, path="/es/articles/dosis/", language="es", referrer="")
    PageViews.objects.add(9, day=today, path="/", language="en", referrer="")
    ExcludedHits.objects.add(13, day=today, kind="robot")
    for age in range(3):
        day = today - timezone.timedelta(days=age)
        UnansweredSearch.objects.add(1, day=day, language="en", term="spravato")
    make_contact_request(from_article="dose")


def logged_in(client, username, **kwargs):
    user, _ = make_staff(username, **kwargs)
    force_login_verified(client, user)
    return client


@pytest.mark.parametrize("role", [EDITOR, FRONT_DESK, CLINICAL_REVIEWER])
def test_the_dashboards_people_see_every_figure(client, figures, role):
    page = logged_in(client, "someone", groups=[role]).get(PAGE)

    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="staff-chart"') == 3  # English, Spanish, contact requests
    for expected in (
        "Your dose</a></th><td>48</td><td>1</td><td>1</td><td>1</td>",
        "Su dosis</a></th><td>5</td>",
        '<th scope="row">www.search.example</th><td>7</td><td>0</td><td>7</td>',
        '<th scope="row">spravato</th><td>3</td><td>3</td>',
        "13 requests from search engine robots and other programs",
        '<th scope="row">/</th><td>9</td>',
    ):
        assert expected in text


def test_someone_outside_those_roles_is_refused(client, figures):
    logged_in(client, "nobody")

    assert client.get(PAGE).status_code == 403
    assert client.get(CSV).status_code == 403


def test_the_public_cannot_reach_it(client, figures):
    assert client.get(PAGE).status_code == 302
    assert client.get(CSV).status_code == 302


def test_the_csv_holds_the_same_figures(client, figures):
    response = logged_in(client, "editor", groups=[EDITOR]).get(CSV)

    assert response["Content-Disposition"] == 'attachment; filename="readership-2026-03-04.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["figure", "week starting", "language", "item", "count"]
    assert ["views per week", "2026-03-02", "en", "", "57"] in rows
    assert ["views per week", "2026-03-02", "es", "", "5"] in rows
    assert ["article views", "2025-12-15", "en", "/articles/dose/", "48"] in rows
    assert ["contact requests from article", "2025-12-15", "en", "/articles/dose/", "1"] in rows
    assert ["searches that found nothing", "", "en", "spravato", "3"] in rows
