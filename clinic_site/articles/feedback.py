"""Readers' "Was this page helpful?" answers: anonymous and rate limited."""

from django import forms

from .models import Feedback

CONTROL_CHARS = {chr(c) for c in range(32) if chr(c) not in "\n\r\t"} | {"\x7f"}


class FeedbackForm(forms.ModelForm):
    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )
    comment = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        error_messages={"max_length": "Keep your comment under 500 characters."},
    )

    class Meta:
        model = Feedback
        fields = ["helpful", "comment"]

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if any(char in CONTROL_CHARS for char in comment):
            raise forms.ValidationError("The comment contains characters we cannot store.")
        return comment
