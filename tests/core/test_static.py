"""Static files as production serves them: hashed, compressed, cached for a long time."""

import json

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic's output, as production has it: collected once for these tests
    (it takes a second or two), each of which only reads it."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected(static_root):
    with override_settings(STATIC_ROOT=static_root, STORAGES=MANIFEST):
        manifest = json.loads((static_root / "staticfiles.json").read_text())
        middleware = WhiteNoiseMiddleware(lambda request: None)
        yield manifest["paths"], middleware


def test_static_files_get_the_security_headers_of_every_response(collected):
    paths, _ = collected
    client = Client()  # a new handler, so WhiteNoise sees the collected files

    response = client.get(f"/static/{paths['css/site.css']}", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "max-age=" in response["Strict-Transport-Security"]


def fetch(middleware, path, **headers):
    return middleware(RequestFactory().get(path, **headers))


def test_hashed_files_are_cached_for_a_year_or_more_and_immutable(collected):
    paths, middleware = collected
    hashed = paths["css/site.css"]
    assert hashed != "css/site.css"

    response = fetch(middleware, f"/static/{hashed}")

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    assert int(cache_control.split("max-age=")[1].split(",")[0]) >= 365 * 24 * 3600


def test_compressed_versions_are_served_to_browsers_that_accept_them(collected):
    paths, middleware = collected

    response = fetch(
        middleware, f"/static/{paths['css/site.css']}", HTTP_ACCEPT_ENCODING="gzip, br"
    )

    assert response["Content-Encoding"] in ("gzip", "br")
    assert "Accept-Encoding" in response["Vary"]


def test_unhashed_names_are_cached_only_briefly(collected):
    _, middleware = collected

    response = fetch(middleware, "/static/css/site.css")

    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]
    assert int(response["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 3600


def test_the_admin_and_editor_assets_are_collected(collected):
    paths, _ = collected

    assert "admin/css/login.css" in paths
    assert "markdownx/js/markdownx.min.js" in paths or "markdownx/js/markdownx.js" in paths
