import pytest

from tests import services


@pytest.fixture
def redis_url():
    """The suite's REDIS_URL, or the local Redis; skips (or fails under
    REQUIRE_SERVICES=1) when there is none."""
    return services.redis_url()
