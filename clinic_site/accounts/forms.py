"""The form an invited colleague fills in: a username and password (new accounts only),
and the code from the authenticator app they have just set up."""

from django import forms
from django.contrib.auth import get_user_model, password_validation

CODE_WIDGET = forms.TextInput(
    attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*", "size": 8}
)


class EnrolForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        widget=CODE_WIDGET,
        help_text="After scanning the QR code, type the 6 digits the app shows.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels as written, without a trailing colon
        super().__init__(*args, **kwargs)


class JoinForm(EnrolForm):
    field_order = ["username", "password1", "password2", "otp_token"]

    username = forms.RegexField(
        label="Username",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text="What you will log in with: letters, digits and . @ + - _ only.",
        error_messages={"invalid": "Use only letters, digits and . @ + - _ in a username."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password and not only digits.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", reviewer: bool = False, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        if reviewer:
            # A clinical reviewer's sign-off prints their name and credentials: asked
            # now, so the first sign-off is not a dead end.
            self.fields["display_name"] = forms.CharField(
                label="Your name as readers see it",
                max_length=80,
                help_text="Printed on each article you sign off, e.g. “Dr A. Example”.",
            )
            self.fields["credentials"] = forms.CharField(
                label="Your credentials",
                max_length=80,
                help_text="Qualifications and role, e.g. “MD, psychiatrist”: printed next "
                "to your name (“Reviewed by Dr A. Example, MD, psychiatrist”).",
            )
            self.order_fields(
                ["username", "password1", "password2", "display_name", "credentials", "otp_token"]
            )

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords are different.")
        elif first:
            candidate = get_user_model()(username=cleaned.get("username", ""), email=self.email)
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
