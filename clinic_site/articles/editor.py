"""The markdownx editor's endpoints, for staff who may edit articles only.

markdownx's own ``urls.py`` lets anyone render HTML and upload files; these views put
its preview behind the article permission and route it through ``render_markdown``,
and replace its upload with one that checks the file is really an image.
"""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from . import images
from .markup import render_markdown

EDIT_PERMISSION = "articles.change_article"


@require_POST
@permission_required(EDIT_PERMISSION, raise_exception=True)
def markdownify(request):
    return HttpResponse(render_markdown(request.POST.get("content", "")))


@require_POST
@permission_required(EDIT_PERMISSION, raise_exception=True)
def upload(request):
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"image": ["Choose an image file to upload."]}, status=400)
    try:
        stored = images.store_article_image(upload)
    except images.ImageRejected as error:
        return JsonResponse({"image": [str(error)]}, status=400)
    return JsonResponse({"image_code": f"![Describe the image here]({stored.url})"})
