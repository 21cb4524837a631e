"""The markdownx editor's endpoints are for staff who may edit articles, nobody else."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

PREVIEW = "/editor/markdownify/"
UPLOAD = "/editor/upload/"


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format="PNG")
    return out.getvalue()


def login(client, username, *, can_edit, verified=True):
    user, _ = make_staff(username)
    if can_edit:
        user.user_permissions.add(Permission.objects.get(codename="change_article"))
    if verified:
        force_login_verified(client, user)
    else:
        client.force_login(user)
    return user


def test_anonymous_visitor_cannot_render_a_preview(client):
    response = client.post(PREVIEW, {"content": "<b>hi</b>"})

    assert response.status_code == 403
    assert b"<b>hi</b>" not in response.content


def test_anonymous_visitor_cannot_upload_a_file(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")

    response = client.post(UPLOAD, {"image": upload})

    assert response.status_code == 403
    assert not any(tmp_path.rglob("*.png"))


def test_staff_without_the_article_permission_is_refused(client):
    login(client, "desk", can_edit=False)

    assert client.post(PREVIEW, {"content": "hi"}).status_code == 403
    upload = SimpleUploadedFile("x.png", png_bytes(), content_type="image/png")
    assert client.post(UPLOAD, {"image": upload}).status_code == 403


def test_editor_without_a_verified_second_factor_is_refused(client):
    login(client, "editor", can_edit=True, verified=False)

    assert client.post(PREVIEW, {"content": "hi"}).status_code == 403


def test_preview_is_refused_over_get(client):
    login(client, "editor", can_edit=True)

    assert client.get(PREVIEW).status_code == 405


def test_editor_preview_goes_through_the_sanitiser(client):
    login(client, "editor", can_edit=True)

    response = client.post(
        PREVIEW, {"content": "## Heading\n\n<script>alert(1)</script><img src=x onerror=alert(1)>"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="heading">Heading</h2>' in html
    assert "<script" not in html and "onerror" not in html


def test_editor_can_upload_a_real_image(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, "editor", can_edit=True)
    upload = SimpleUploadedFile("holiday.png", png_bytes(), content_type="image/png")

    response = client.post(UPLOAD, {"image": upload})

    assert response.status_code == 200
    code = response.json()["image_code"]
    assert code.startswith("![") and "/media/articles/" in code
    assert "holiday" not in code  # the uploaded name is never used
    assert len(list(tmp_path.rglob("*.png"))) == 1


def test_a_file_pretending_to_be_an_image_is_refused(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, "editor", can_edit=True)
    fake = SimpleUploadedFile("evil.png", b"<?php system($_GET['c']); ?>", content_type="image/png")

    response = client.post(UPLOAD, {"image": fake})

    assert response.status_code == 400
    assert "not a PNG, JPEG or WebP image" in response.json()["image"][0]
    assert not any(tmp_path.rglob("*"))
