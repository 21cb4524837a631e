"""Readers' "Was this page helpful?" answers: anonymous and rate limited."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic_site.core.fields import MessageField

from .models import Feedback


class FeedbackForm(forms.ModelForm):
    helpful = forms.TypedChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    comment = MessageField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={
            "max_length": _("Keep your comment under 500 characters."),
            "control_characters": _("The comment contains characters we cannot store."),
        },
    )

    class Meta:
        model = Feedback
        fields = ["helpful", "comment"]
