"""CSV export: its own permission, every export logged, no formula injection."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic_site.intake.export import escape_cell
from clinic_site.intake.models import AccessLog
from tests.factories import make_contact_request

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:intake_contactrequest_changelist"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+1 555 010 0147", "'+1 555 010 0147"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        ("Ana Pérez", "Ana Pérez"),
        ("ana+tag@example.com", "ana+tag@example.com"),  # only the first character counts
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped(value, expected):
    assert escape_cell(value) == expected


def export(client, requests):
    return client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [r.pk for r in requests], "index": 0},
    )


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_front_desk_cannot_export_without_the_export_permission(front_desk):
    contact_request = make_contact_request()

    page = front_desk.get(reverse(CHANGELIST)).content.decode()
    response = export(front_desk, [contact_request])

    assert 'value="export_csv"' not in page
    assert response.get("Content-Type", "").startswith("text/html")
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORTED).exists()


# What a spreadsheet would run as a formula, by the export's column.
FORMULAS = {
    "Name": '=HYPERLINK("http://evil.example","Click me")',
    "Email": "@attacker@example.com",
    "Phone": "+1 555 010 0147",
    "Best time": "-1+1",
}


def test_export_with_permission_escapes_formulas_and_logs_each_request(front_desk):
    front_desk.user.user_permissions.add(Permission.objects.get(codename="export_contactrequest"))
    fields = {column.lower().replace(" ", "_"): value for column, value in FORMULAS.items()}
    hostile = make_contact_request(message="=cmd|' /C calc'!A0", **fields)
    unicode_name = make_contact_request(name="王秀英", message="Private words")

    response = export(front_desk, [hostile, unicode_name])

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="contact-requests-')
    assert "no-store" in response["Cache-Control"]
    header, first, second = read_csv(response)
    row = dict(zip(header, first, strict=True))
    assert {column: row[column] for column in FORMULAS} == {
        column: "'" + value for column, value in FORMULAS.items()
    }
    assert dict(zip(header, second, strict=True))["Name"] == "王秀英"
    for line in read_csv(response)[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line)
    # What the person wrote stays in the admin.
    assert "Private words" not in response.content.decode("utf-8-sig")
    assert "calc" not in response.content.decode("utf-8-sig")
    exported = AccessLog.objects.filter(action=AccessLog.Action.EXPORTED, actor=front_desk.user)
    assert sorted(exported.values_list("request_number", flat=True)) == sorted(
        [hostile.pk, unicode_name.pk]
    )


def test_the_export_says_the_outcome_the_source_and_whether_it_was_held(front_desk):
    front_desk.user.user_permissions.add(Permission.objects.get(codename="export_contactrequest"))
    closed = make_contact_request(
        status="closed", outcome="booked", source="phone", held_reason="many_requests"
    )

    header, line = read_csv(export(front_desk, [closed]))

    row = dict(zip(header, line, strict=True))
    assert row["Outcome"] == "Consultation booked"
    assert row["How it reached us"] == "Phone call"
    assert row["Held"] == "Many requests from one network"
