"""Redis down (nothing listening): staff pages work and the contact limit still counts."""

import pytest
from django.urls import reverse

from clinic_site.core import ratelimit
from clinic_site.settings import redis_cache
from tests.factories import form_data, make_staff, submit
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:6399/0"  # nothing listens here


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {"default": redis_cache(DEAD_REDIS)}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    ratelimit._local.clear()


def test_staff_pages_work_with_sessions_from_the_database(client, redis_down):
    user, _ = make_staff("desk", superuser=True)
    force_login_verified(client, user)

    response = client.get(reverse("admin:intake_contactrequest_changelist"))

    assert response.status_code == 200


def test_the_contact_rate_limit_counts_in_the_process(client, redis_down, settings):
    settings.CONTACT_RATE_LIMIT = 2
    settings.CONTACT_FLOOD_LIMIT = 2  # the third is refused, not held

    statuses = [submit(client, form_data()).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]


def test_pages_are_served(client, redis_down):
    assert client.get("/").status_code == 200
    assert client.get("/contact/").status_code == 200
