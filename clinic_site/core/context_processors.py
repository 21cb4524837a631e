"""Clinic details and the urgent-help wording, for every template."""

from django.conf import settings


def clinic(request):
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "address": settings.CLINIC_ADDRESS,
            "phone": settings.CLINIC_PHONE,
            "email": settings.CLINIC_EMAIL,
            "hours": settings.CLINIC_HOURS,
        },
        "urgent_help": {
            "text": settings.URGENT_HELP_TEXT,
            "phone": settings.URGENT_HELP_PHONE,
            "emergency_phone": settings.EMERGENCY_PHONE,
            "text_number": settings.URGENT_HELP_TEXT_NUMBER,
            "crisis_note": settings.CRISIS_NOTE_TEXT,
        },
    }
