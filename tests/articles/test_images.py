"""Every rule for images uploaded through the editor."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic_site.articles import images
from clinic_site.articles.markup import render_markdown


def image_bytes(fmt="PNG", size=(64, 48), exif=None) -> bytes:
    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, "teal").save(out, format=fmt, **options)
    return out.getvalue()


def upload(data: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_png_jpeg_and_webp_are_stored_under_a_random_name(fmt, ext, media):
    stored = images.store_article_image(upload(image_bytes(fmt), name="../../etc/passwd.png"))

    assert stored.name.startswith("articles/") and stored.name.endswith(f"_64x48.{ext}")
    assert "passwd" not in stored.name
    with Image.open(media / stored.name) as saved:
        assert saved.format == fmt and saved.size == (64, 48)


def test_the_declared_type_is_ignored_for_a_fake_image():
    with pytest.raises(images.ImageRejected, match="not a PNG, JPEG or WebP"):
        images.store_article_image(upload(b"GIF89a not really an image at all"))


def test_svg_is_refused_even_when_called_png():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    with pytest.raises(images.ImageRejected, match="SVG"):
        images.store_article_image(upload(svg, name="logo.png", content_type="image/png"))


def test_gif_is_refused():
    with pytest.raises(images.ImageRejected):
        images.store_article_image(upload(image_bytes("GIF"), content_type="image/gif"))


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 1000
    data = image_bytes(size=(300, 300)) + b"\0" * 2000

    with pytest.raises(images.ImageRejected, match="too large"):
        images.store_article_image(upload(data))


def test_a_decompression_bomb_is_refused_before_decoding(settings, media):
    settings.ARTICLE_IMAGE_MAX_PIXELS = 1_000_000
    # A small file that claims 4000 x 4000 pixels.
    bomb = image_bytes(size=(4000, 4000))
    assert len(bomb) < 200_000

    with pytest.raises(images.ImageRejected, match="too many pixels"):
        images.store_article_image(upload(bomb))
    assert not any(media.rglob("*.png"))


def test_a_truncated_image_is_refused():
    with pytest.raises(images.ImageRejected):
        images.store_article_image(upload(image_bytes("JPEG", size=(200, 200))[:300]))


def test_exif_metadata_such_as_gps_is_stripped(media):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo: latitude
    data = image_bytes("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif()  # the test image really carries EXIF

    stored = images.store_article_image(upload(data, name="x.jpg", content_type="image/jpeg"))

    with Image.open(media / stored.name) as saved:
        assert not saved.getexif()
        assert "exif" not in saved.info


def test_a_large_image_gets_a_phone_rendition_and_sized_markup(media):
    stored = images.store_article_image(upload(image_bytes(size=(1200, 800))))

    assert (media / images.rendition_name(stored.name)).exists()
    html = render_markdown(f"![A calm room]({stored.url})")
    assert 'width="1200" height="800"' in html
    assert 'loading="lazy"' in html
    assert "-640.png 640w" in html


def test_a_huge_image_is_scaled_down_to_the_column_width(media):
    stored = images.store_article_image(upload(image_bytes(size=(3200, 1600))))
    assert (stored.width, stored.height) == (images.MAX_WIDTH, 800)
