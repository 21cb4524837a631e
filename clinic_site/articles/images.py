"""Article images uploaded through the editor.

Nothing about an upload is trusted: not its name, not its declared type. Pillow must
recognise it as PNG, JPEG or WebP, its size and pixel count are capped (decompression
bombs are refused before decoding), and it is re-encoded, which drops metadata such as
GPS location, under a random name that records its dimensions. Large images also get a
narrower rendition for phones.
"""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_WIDTH = 1600  # wider than any article column; larger uploads are scaled down
PHONE_WIDTH = 640
UPLOAD_DIR = "articles"
# Where an upload is served: /media/articles/<32 hex>_<width>x<height>.<ext>; its phone
# rendition adds -640 (rendition_name). Markup recognises our uploads by this.
STORED_URL = (
    r"/media/articles/(?P<key>[0-9a-f]{32})_(?P<width>\d{1,5})x(?P<height>\d{1,5})"
    r"\.(?P<ext>png|jpg|webp)"
)
# The description the editor inserts with an upload, for the editor to replace; an image
# still carrying it counts as having no description.
PLACEHOLDER_ALT = "Describe the image here"


class ImageRejected(Exception):
    """The upload is not an image we accept; the message is for the editor."""


@dataclass
class StoredImage:
    name: str
    url: str
    width: int
    height: int


def store_article_image(upload) -> StoredImage:
    if upload.size > settings.ARTICLE_IMAGE_MAX_BYTES:
        limit = settings.ARTICLE_IMAGE_MAX_BYTES // (1024 * 1024)
        raise ImageRejected(f"The image is too large. Upload a file under {limit} MB.")
    data = upload.read()
    image = _open_checked(data)
    image = ImageOps.exif_transpose(image)
    if image.width > MAX_WIDTH:
        image = _scaled(image, MAX_WIDTH)
    image_format = image.format or _format_of(data)
    key = secrets.token_hex(16)
    ext = FORMATS[image_format]
    name = f"{UPLOAD_DIR}/{key}_{image.width}x{image.height}.{ext}"
    stored_name = default_storage.save(name, ContentFile(_encode(image, image_format)))
    if image.width > PHONE_WIDTH:
        small = _scaled(image, PHONE_WIDTH)
        default_storage.save(rendition_name(stored_name), ContentFile(_encode(small, image_format)))
    return StoredImage(
        name=stored_name,
        url=default_storage.url(stored_name),
        width=image.width,
        height=image.height,
    )


def rendition_name(name: str) -> str:
    stem, _, ext = name.rpartition(".")
    return f"{stem}-{PHONE_WIDTH}.{ext}"


def _format_of(data: bytes) -> str:
    with Image.open(io.BytesIO(data)) as probe:
        return probe.format


def _open_checked(data: bytes) -> Image.Image:
    refused = "The file is not a PNG, JPEG or WebP image. SVG and other files are not accepted."
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise ImageRejected(refused)
            if probe.width * probe.height > settings.ARTICLE_IMAGE_MAX_PIXELS:
                raise ImageRejected(
                    "The image has too many pixels. Resize it to at most "
                    f"{settings.ARTICLE_IMAGE_MAX_PIXELS // 1_000_000} megapixels."
                )
            probe.verify()  # structure check; the image must be reopened after this
            image = Image.open(io.BytesIO(data))
            image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(refused) from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRejected("The image file is damaged or incomplete.") from None
    return image


def _scaled(image: Image.Image, width: int) -> Image.Image:
    height = max(1, round(image.height * width / image.width))
    scaled = image.resize((width, height), Image.Resampling.LANCZOS)
    scaled.format = image.format
    return scaled


def _encode(image: Image.Image, image_format: str) -> bytes:
    """Write pixels only: no EXIF, XMP, ICC comments or text chunks."""
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image_format in ("PNG", "WEBP") and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    clean = image.copy()
    clean.info = {}  # Pillow writes only what is passed or left in info
    out = io.BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 82}}
    clean.save(out, format=image_format, **options.get(image_format, {"optimize": True}))
    return out.getvalue()
