"""One keyed hash for client addresses and unknown usernames, wherever they are kept."""

from clinic_site.core.net import client_hash, keyed_hash


def test_the_client_hash_is_a_keyed_hash_of_the_address(rf, settings):
    settings.PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")

    first = client_hash(request)
    settings.SECRET_KEY = "another-key-entirely-for-this-test-only"

    assert first != client_hash(request)  # keyed: useless without the site's key
    assert client_hash(request) == keyed_hash("203.0.113.9")
    assert "203" not in first and len(first) == 32
