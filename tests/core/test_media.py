"""Uploaded media: only images, only from MEDIA_ROOT, never as anything executable."""

from pathlib import Path

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "articles").mkdir(parents=True)
    return Path(settings.MEDIA_ROOT)


def test_an_uploaded_image_is_served_as_an_image(client, media_root):
    (media_root / "articles" / "a1b2_640x480.png").write_bytes(PNG)

    response = client.get("/media/articles/a1b2_640x480.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == "inline"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(
    ("name", "expected_type"),
    [("photo.jpg", "image/jpeg"), ("photo.JPEG", "image/jpeg"), ("photo.webp", "image/webp")],
)
def test_the_type_comes_from_the_allowlist(client, media_root, name, expected_type):
    (media_root / "articles" / name).write_bytes(b"not really an image <script>")

    response = client.get(f"/media/articles/{name}")

    assert response["Content-Type"] == expected_type
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "notes.txt", "run.js", "noext"])
def test_anything_but_an_image_is_never_served(client, media_root, name):
    (media_root / "articles" / name).write_text("<script>alert(1)</script>")

    assert client.get(f"/media/articles/{name}").status_code == 404


def test_nothing_outside_media_root_is_served(client, media_root, tmp_path):
    (tmp_path / "secret.png").write_bytes(PNG)
    (media_root / "articles" / "link.png").symlink_to(tmp_path / "secret.png")
    (media_root / "articles" / ".hidden.png").write_bytes(PNG)

    for url in (
        "/media/../secret.png",
        "/media/articles/../../secret.png",
        "/media/%2e%2e/secret.png",
        "/media/articles/link.png",
        "/media/articles/.hidden.png",
        "/media/articles/missing.png",
    ):
        assert client.get(url).status_code == 404, url


def test_media_is_not_served_when_the_proxy_or_object_storage_serves_it(
    client, media_root, settings
):
    (media_root / "articles" / "a.png").write_bytes(PNG)
    settings.SERVE_MEDIA = False

    assert client.get("/media/articles/a.png").status_code == 404
