"""The proxy's own page for 502/503/504: phone, hours and urgent help, needing nothing else."""

import re

from django.core.management import call_command
from django.utils.html import escape


def test_the_outage_page_gives_the_phone_number_hours_and_urgent_help(tmp_path, settings):
    settings.CLINIC_PHONE = "(555) 010-0177"
    settings.CLINIC_HOURS = "Monday to Thursday, 8 am to 6 pm"
    output = tmp_path / "outage.html"

    call_command("write_outage_page", output=str(output), verbosity=0)

    html = output.read_text()
    assert 'href="tel:(555)010-0177"' in html and "(555) 010-0177" in html
    assert "Monday to Thursday, 8 am to 6 pm" in html
    assert escape(settings.URGENT_HELP_TEXT) in html
    assert f'href="tel:{settings.EMERGENCY_PHONE}"' in html
    assert "may not have received it" in html
    # Served when the site is down: nothing it refers to may need the site.
    assert not re.search(r"<script|<link|\ssrc=|url\(", html)
    assert oct(output.stat().st_mode & 0o777) == "0o644"


def test_the_outage_page_is_written_to_static_root_by_default(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "staticfiles"

    call_command("write_outage_page", verbosity=0)

    assert (tmp_path / "staticfiles" / "outage.html").is_file()


def test_the_outage_page_is_also_written_in_spanish_beside_the_english_one(tmp_path, settings):
    settings.CLINIC_PHONE = "(555) 010-0177"
    settings.CLINIC_HOURS_ES = "de lunes a jueves, de 8 a. m. a 6 p. m."

    call_command("write_outage_page", output=str(tmp_path / "outage.html"), verbosity=0)

    english = (tmp_path / "outage.html").read_text()
    spanish = (tmp_path / "outage.es.html").read_text()
    assert '<html lang="en">' in english and '<html lang="es">' in spanish
    assert "Nuestro sitio web no funciona en este momento" in spanish
    assert "es posible que no lo hayamos recibido" in spanish
    assert 'href="tel:(555)010-0177"' in spanish and "de lunes a jueves" in spanish
    assert escape(settings.URGENT_HELP_TEXT_ES) in spanish
    assert "may not have received" not in spanish
    assert not re.search(r"<script|<link|\ssrc=|url\(", spanish)
    assert oct((tmp_path / "outage.es.html").stat().st_mode & 0o777) == "0o644"
