"""Two starter replies (English and Spanish) for the manager to reword in the admin."""

from django.db import migrations

STARTERS = [
    {
        "title": "First reply",
        "language": "en",
        "subject": "Your request to {clinic_name}",
        "body": (
            "Dear {name},\n\n"
            "Thank you for contacting {clinic_name}. I would like to arrange a short call "
            "to answer your questions and, if you wish, book a first consultation.\n\n"
            "Please reply with a few times that suit you, or call us on {clinic_phone}.\n\n"
            "If you are in crisis, call or text 988, or call 911 in an emergency.\n\n"
            "Kind regards,\n{staff_name}\n{clinic_name}"
        ),
        "order": 10,
    },
    {
        "title": "First reply",
        "language": "es",
        "subject": "Su solicitud a {clinic_name}",
        "body": (
            "Estimado/a {name}:\n\n"
            "Gracias por comunicarse con {clinic_name}. Me gustaría programar una breve "
            "llamada para responder a sus preguntas y, si lo desea, reservar una primera "
            "consulta.\n\n"
            "Responda a este mensaje con algunos horarios que le convengan, o llámenos al "
            "{clinic_phone}.\n\n"
            "Si está en crisis, llame o envíe un mensaje de texto al 988, o llame al 911 "
            "en caso de emergencia.\n\n"
            "Atentamente,\n{staff_name}\n{clinic_name}"
        ),
        "order": 10,
    },
]


def add_starters(apps, schema_editor):
    ReplyTemplate = apps.get_model("intake", "ReplyTemplate")
    for starter in STARTERS:
        ReplyTemplate.objects.get_or_create(
            title=starter["title"], language=starter["language"], defaults=starter
        )


class Migration(migrations.Migration):
    dependencies = [("intake", "0009_reply_templates")]

    operations = [migrations.RunPython(add_starters, migrations.RunPython.noop)]
