"""The page an invitation link opens (see models.Invitation and invitations.py)."""

import base64

import qrcode
import qrcode.image.svg
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp.util import random_hex

from .forms import EnrolForm, JoinForm
from .invitations import InvitationError, accept_invitation, new_device
from .models import Invitation
from .roles import CLINICAL_REVIEWER


def _session_key(invitation) -> str:
    return f"accounts:invitation:{invitation.pk}:device_key"


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


@never_cache
def join(request, token):
    invitation = Invitation.from_token(token)
    context = {**admin.site.each_context(request), "title": "Join the staff pages"}
    if invitation is None:
        # One page for forged, expired and used links: none of them says which.
        return TemplateResponse(request, "accounts/join_invalid.html", context, status=404)

    # The new authenticator's secret lives in this browser's session until the person
    # proves, with a code, that their app has it; it is never in a form or the page's
    # fields, only in the QR code and its spelled-out form for typing by hand.
    key = request.session.get(_session_key(invitation)) or random_hex(20)
    request.session[_session_key(invitation)] = key
    existing = invitation.user
    form_class = EnrolForm if existing else JoinForm
    form_kwargs = (
        {}
        if existing
        else {"email": invitation.email, "reviewer": invitation.role == CLINICAL_REVIEWER}
    )
    form = form_class(request.POST or None, **form_kwargs)

    if request.method == "POST" and form.is_valid():
        try:
            user = accept_invitation(
                invitation=invitation,
                key=key,
                code=form.cleaned_data["otp_token"],
                username=form.cleaned_data.get("username", ""),
                password=form.cleaned_data.get("password1", ""),
                display_name=form.cleaned_data.get("display_name", ""),
                credentials=form.cleaned_data.get("credentials", ""),
            )
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            del request.session[_session_key(invitation)]
            return TemplateResponse(
                request, "accounts/join_done.html", {**context, "username": user.get_username()}
            )

    label_user = existing or get_user_model()(username=invitation.email)
    config_url = new_device(label_user, key).config_url
    secret = base64.b32encode(bytes.fromhex(key)).decode()
    context.update(
        invitation=invitation,
        form=form,
        existing=existing,
        qr_code=mark_safe(_qr_svg(config_url)),  # our own SVG, drawn from our own data
        # On a phone there is nothing to scan: this link opens the authenticator app.
        config_url=config_url,
        secret_spaced=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )
    return TemplateResponse(request, "accounts/join.html", context)
