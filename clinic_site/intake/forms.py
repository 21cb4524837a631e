"""The contact form: strict cleaning, and messages a person can act on.

Messages follow the GOV.UK pattern: say what to do ("Enter your name"), not what went
wrong in the system's terms. Names are stored as typed: no case or Unicode folding, so
"José", "Nguyễn" and "王秀英" come back exactly.
"""

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from clinic_site.core.fields import EmailAddressField, MessageField, SingleLineField
from clinic_site.core.languages import Language, current_language

from . import consent
from .models import (
    BEST_TIME_MAX_LENGTH,
    EMAIL_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    SUBMITTED_FIELDS,
    ContactMethod,
    Interest,
    Source,
)

# Bots fill in every field; people never see this one (see the template).
HONEYPOT_FIELD = "website"

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# An article's slug, as the ?from= of the article's link to this form carries it.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-]+")
PHONE_MIN_DIGITS = 7
PHONE_MAX_DIGITS = 15  # the longest international number (E.164)


class TelInput(forms.TextInput):
    input_type = "tel"


def _too_long(what) -> str:
    return format_lazy(
        _("{what} must be %(limit_value)d characters or fewer (you entered %(show_value)d)"),
        what=what,
    )


def _control_characters(what) -> str:
    return format_lazy(
        _(
            "{what} contains characters we cannot accept, such as line breaks, control "
            "codes or unreadable characters. Type it again without them"
        ),
        what=what,
    )


def _text_errors(what, **others) -> dict:
    """A text field's error messages, calling the field ``what``: too long, characters
    refused, and ``others`` (such as ``required``)."""
    return {
        "max_length": _too_long(what),
        "control_characters": _control_characters(what),
        **others,
    }


class ContactForm(forms.Form):
    name = SingleLineField(
        label=_("Your name"),
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages=_text_errors(_("Your name"), required=_("Enter your name")),
    )
    email = EmailAddressField(
        label=_("Email address"),
        max_length=EMAIL_MAX_LENGTH,
        help_text=_("We only use this to reply to you."),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages=_text_errors(
            _("Your email address"),
            required=_("Enter your email address"),
            invalid=_("Enter an email address in the correct format, like name@example.com"),
        ),
    )
    phone = SingleLineField(
        label=_("Phone number"),
        required=False,
        max_length=PHONE_MAX_LENGTH,
        help_text=_("Only if you would like a call. For example, 555 010 0123 or +1 555 010 0123."),
        widget=TelInput(attrs={"autocomplete": "tel"}),
        error_messages=_text_errors(_("Your phone number")),
    )
    preferred_contact_method = forms.ChoiceField(
        label=_("How would you like us to contact you?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how you would like us to contact you"),
            "invalid_choice": _("Select how you would like us to contact you"),
        },
    )
    voicemail_ok = forms.BooleanField(
        label=_("It is OK to leave a voicemail at this number"),
        required=False,
        help_text=_("If you leave this unticked, we will not leave a message."),
    )
    best_time = SingleLineField(
        label=_("Best time to reach you"),
        required=False,
        max_length=BEST_TIME_MAX_LENGTH,
        help_text=_("For example, weekday mornings."),
        error_messages=_text_errors(_("The best time to reach you")),
    )
    interest = forms.ChoiceField(
        label=_("What would you like to talk to us about?"),
        choices=Interest.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _(
                "Select what you would like to talk about, or that you would prefer not to say"
            ),
            "invalid_choice": _("Select one of the options"),
        },
    )
    message = MessageField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        help_text=format_lazy(
            _(
                "A few words about how we can help (up to {limit} characters). Please do not "
                "include detailed medical history: a clinician will ask about that in a "
                "private conversation."
            ),
            limit=f"{MESSAGE_MAX_LENGTH:,}",
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=_text_errors(_("Your message"), required=_("Enter a short message")),
    )
    consent = forms.BooleanField(
        label=consent.current_text(),  # in the page's language: see __init__
        help_text=_(
            "What we store, who sees it and how long we keep it are explained in the "
            "privacy notice."
        ),
        error_messages={
            "required": _(
                "Tick the box to agree to how we store and use your details, or call us instead"
            ),
        },
    )
    # One per page load (see ContactRequest.submission_token).
    submission_token = forms.CharField(
        required=False,
        initial=lambda: secrets.token_urlsafe(24),
        widget=forms.HiddenInput,
    )
    # The article whose link brought the person here (?from=<slug>), for the readership
    # figures. Never an error (the person cannot see it): anything that is not a slug
    # is dropped.
    from_article = forms.CharField(required=False, widget=forms.HiddenInput)
    preferred_language = forms.ChoiceField(
        label=_("Which language should we use when we contact you?"),
        # Each language named in its own words: a reader looks for the one they read.
        choices=[(Language.ENGLISH, "English"), (Language.SPANISH, "Español")],
        widget=forms.RadioSelect,
        # Checked in advance with the page's language; a form sent without it (an older
        # page still open in a tab) means that language too.
        required=False,
        error_messages={"invalid_choice": _("Select the language we should use")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = translation.get_language()
        self.fields["consent"].label = consent.current_text(language)
        self.fields["preferred_language"].initial = current_language()

    def is_from_bot(self) -> bool:
        """True when the hidden field was filled in: checked before any validation."""
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())

    def clean_submission_token(self):
        # A missing or mangled token (an old page, a hand-made POST) is no reason to
        # refuse a person's request: it is stored without one.
        token = self.cleaned_data["submission_token"]
        return token if _TOKEN.fullmatch(token) else None

    def clean_from_article(self):
        slug = self.cleaned_data["from_article"]
        return slug if len(slug) <= 100 and _SLUG.fullmatch(slug) else ""

    def clean_preferred_language(self):
        chosen = self.cleaned_data["preferred_language"]
        return chosen or current_language()

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if not phone:
            return phone
        if not _PHONE_CHARACTERS.fullmatch(phone):
            raise ValidationError(
                _now(
                    "Enter a phone number using only digits, spaces and + ( ) - . like 555 010 0123"
                ),
                code="invalid",
            )
        digits = sum(char.isascii() and char.isdigit() for char in phone)
        if not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
            raise ValidationError(
                _now("Enter a phone number with %(min)d to %(max)d digits, like 555 010 0123")
                % {"min": PHONE_MIN_DIGITS, "max": PHONE_MAX_DIGITS},
                code="invalid",
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        wants_a_call = cleaned.get("preferred_contact_method") == ContactMethod.PHONE
        if wants_a_call and not cleaned.get("phone") and "phone" not in self.errors:
            self.add_error(
                "phone", _now("Enter a phone number, or choose email as the way we contact you")
            )
        if not cleaned.get("phone"):
            # Permission to leave a voicemail means nothing without a number to call.
            cleaned["voicemail_ok"] = False
        return cleaned

    def submission(self) -> dict:
        """What the person sent, as the model stores it."""
        return {field: self.cleaned_data[field] for field in SUBMITTED_FIELDS}

    def error_summary(self) -> list[tuple[str, str]]:
        """(id of the input to jump to, message) for each error, in page order."""
        links = []
        for field in self:
            radios = isinstance(field.field.widget, forms.RadioSelect)
            target = f"{field.auto_id}_0" if radios else field.auto_id
            links.extend((target, error) for error in field.errors)
        return links


class StaffRequestForm(ContactForm):
    """A phone call or a walk-in, typed in by staff: the same fields and checks as the
    website form, in staff words, plus where it came from. The email address is
    optional (many callers give only a number), but there must be a way back to them."""

    source = forms.ChoiceField(
        label="How did they contact us?",
        choices=[(Source.PHONE, Source.PHONE.label), (Source.WALK_IN, Source.WALK_IN.label)],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose phone call or walk-in"},
    )

    STAFF_LABELS = {
        "name": "Their name",
        "email": "Their email address",
        "phone": "Their phone number",
        "preferred_contact_method": "How would they like us to contact them?",
        "voicemail_ok": "It is OK to leave them a voicemail",
        "best_time": "Best time to reach them",
        "interest": "What would they like to talk about?",
        "message": "What they told us",
        "preferred_language": "Which language should we use with them?",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields[HONEYPOT_FIELD]
        del self.fields["submission_token"]
        for name, label in self.STAFF_LABELS.items():
            self.fields[name].label = label
            self.fields[name].help_text = ""
        self.fields["email"].required = False
        self.fields["message"].help_text = (
            "In their words, briefly. Urgent words (suicide, self-harm) are checked as on "
            "the website form. No detailed medical history."
        )
        self.fields["consent"].label = consent.CONSENT_TEXTS[consent.STAFF_LOGGED_VERSION]
        self.fields["consent"].help_text = ""
        self.fields["consent"].error_messages["required"] = (
            "Ask them first: we may only store their details if they agree"
        )
        self.fields["preferred_language"].initial = "en"
        self.order_fields(["source"])

    def is_from_bot(self) -> bool:
        return False

    def clean(self):
        cleaned = super().clean()
        wants_email = cleaned.get("preferred_contact_method") == ContactMethod.EMAIL
        if wants_email and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter their email address, or choose phone")
        return cleaned
