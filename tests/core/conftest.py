import os

import pytest

# Redis is always there, locally and on CI: tests of Redis-backed behaviour use the
# REDIS_URL the suite runs with, or this local database when it runs without one.
LOCAL_REDIS = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    return os.environ.get("REDIS_URL") or LOCAL_REDIS
