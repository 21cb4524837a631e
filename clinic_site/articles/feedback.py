"""Readers' "Was this page helpful?" answers: anonymous and rate limited."""

from django import forms

from clinic_site.core.fields import MessageField

from .models import Feedback


class FeedbackForm(forms.ModelForm):
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    comment = MessageField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={
            "max_length": "Keep your comment under 500 characters.",
            "control_characters": "The comment contains characters we cannot store.",
        },
    )

    class Meta:
        model = Feedback
        fields = ["helpful", "comment"]
