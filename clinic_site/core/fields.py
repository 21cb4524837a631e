"""Form fields: text that refuses what a person cannot have meant to type, and local
dates and times that exist on every night of the year.

Text fields that refuse what a person cannot have meant to type.

Used by every public form (the contact form, readers' feedback): NUL and other control
characters, bidirectional override marks and undecodable bytes get a clear message
instead of being stored or causing an error further on.
"""

import datetime
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# Bidirectional embedding, override and isolate marks: invisible, and able to make a
# name display differently from what is stored ("Trojan Source"). Joiners (U+200C,
# U+200D), which some scripts need in names, stay allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# What Django puts in place of bytes that were not valid UTF-8: storing it would not
# be storing what the person typed.
_REPLACEMENT_CHARACTER = "\ufffd"
_REFUSED = _BIDI_CONTROLS | {_REPLACEMENT_CHARACTER}


def has_control_characters(value: str, allowed: frozenset[str] = frozenset()) -> bool:
    return any(
        (unicodedata.category(char) == "Cc" and char not in allowed) or char in _REFUSED
        for char in value
    )


class NoControlCharacters:
    """Refuse NUL, other control characters, bidi marks and undecodable bytes.

    The check runs in ``validate``, before the field's validators, so a NUL byte gets
    this message rather than Django's generic one.
    """

    allowed_controls: frozenset[str] = frozenset()
    default_error_messages = {
        "control_characters": "Remove the characters we cannot accept from this answer",
    }

    def validate(self, value):
        super().validate(value)
        if value and has_control_characters(value, self.allowed_controls):
            raise ValidationError(
                self.error_messages["control_characters"], code="control_characters"
            )


class SingleLineField(NoControlCharacters, forms.CharField):
    pass


class MessageField(NoControlCharacters, forms.CharField):
    allowed_controls = frozenset("\n\t")

    def to_python(self, value):
        # Browsers send each line break as \r\n but count it as one character against
        # maxlength: count it the same way here, so a message the browser accepted fits.
        return super().to_python(value).replace("\r\n", "\n").replace("\r", "\n")


class EmailAddressField(NoControlCharacters, forms.EmailField):
    pass


class LocalSplitDateTimeField(forms.SplitDateTimeField):
    """A date and a time typed in the clinic's time zone, on any night of the year.

    Django refuses a local time that happens twice (01:30 the night clocks go back) or
    never (02:30 the night they go forward). A staff form showing such a time, often the
    moment it was opened, could then never be saved. Here the first of two is meant, and
    a time that never happened counts as the moment the clock shows an hour later.
    """

    def compress(self, data_list):
        if data_list and not any(part in self.empty_values for part in data_list):
            moment = datetime.datetime.combine(*data_list)
            local = moment.replace(tzinfo=timezone.get_current_timezone(), fold=0)
            # As UTC: an aware time inside the repeated or missing hour compares unequal
            # to every other time (PEP 495), even to itself written in UTC.
            return local.astimezone(datetime.UTC)
        return super().compress(data_list)
