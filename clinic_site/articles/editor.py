"""The markdownx editor's endpoints, for staff who may edit articles only.

markdownx's own ``urls.py`` lets anyone render HTML and upload files; these views put
its preview behind the article permission and route it through ``render_markdown``,
and replace its upload with one that checks the file is really an image.
"""

import functools

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from . import images
from .markup import render_markdown
from .models import EDIT_PERMISSION


def editor_only(view):
    """Logged in through both factors, with permission to edit articles; else 403."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_verified() and user.has_perm(EDIT_PERMISSION)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
@editor_only
def markdownify(request):
    return HttpResponse(render_markdown(request.POST.get("content", "")))


@require_POST
@editor_only
def upload(request):
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": ["Choose an image file to upload."]}, status=400)
    try:
        stored = images.store_article_image(upload)
    except images.ImageRejected as error:
        return JsonResponse({"image": [str(error)]}, status=400)
    return JsonResponse({"image_code": f"![{images.PLACEHOLDER_ALT}]({stored.url})"})
