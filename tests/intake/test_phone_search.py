"""Phone numbers are found by their digits, however staff or the patient typed them."""

import pytest
from django.urls import reverse

from clinic_site.intake.models import ContactRequest, phone_digits
from tests.factories import make_contact_request

CHANGELIST = reverse("admin:intake_contactrequest_changelist")


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("5550107788", "5550107788"),
        ("555 010 7788", "5550107788"),
        ("555-010-7788", "5550107788"),
        ("(555) 010-7788", "5550107788"),
        ("+1 (555) 010-7788", "5550107788"),
        ("+1-555-010-7788", "5550107788"),
        ("1 555 010 7788", "5550107788"),
        ("555.010.7788", "5550107788"),
        ("  010 77  ", "01077"),
        ("+44 20 7946 0000", "442079460000"),  # other country codes are kept
        ("Ana Pérez", ""),  # not a phone number at all
        ("ana@example.com", ""),
        ("", ""),
    ],
)
def test_phone_digits_ignores_spaces_dashes_brackets_and_a_leading_plus_one(typed, digits):
    assert phone_digits(typed) == digits


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stored", ["555 010 7788", "(555) 010-7788", "+1 555-010-7788", "5550107788", "+15550107788"]
)
@pytest.mark.parametrize("typed", ["5550107788", "555-010-7788", "+1 (555) 010 7788", "0107788"])
def test_a_phone_number_matches_however_either_side_wrote_it(stored, typed):
    wanted = make_contact_request(phone=stored)
    make_contact_request(phone="555 010 0100")
    make_contact_request(phone="")

    assert list(ContactRequest.objects.matching_phone(typed)) == [wanted]


@pytest.mark.django_db
def test_too_few_digits_match_nothing_rather_than_everything():
    make_contact_request(phone="555 010 7788")

    assert not ContactRequest.objects.matching_phone("55").exists()


@pytest.mark.django_db
def test_the_queue_search_finds_a_number_typed_without_its_spaces(front_desk):
    wanted = make_contact_request(phone="555 010 7788")
    make_contact_request(phone="555 010 0100")

    front_desk.post(CHANGELIST, {"private_search": "1", "q": "5550107788"})
    response = front_desk.get(CHANGELIST)

    assert [row.pk for row in response.context["cl"].result_list] == [wanted.pk]
