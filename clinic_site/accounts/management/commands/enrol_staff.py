"""Enrol a staff member: account, password and authenticator app, in one step.

Every admin page needs a code from an authenticator app, so the first staff member
cannot be set up through the admin. This command creates (or updates) the account,
sets its password without echoing it, and registers a TOTP device whose QR code and
``otpauth://`` address it prints once, for the person to scan into their app.

    python manage.py enrol_staff alice --email alice@clinic.example --superuser
    python manage.py enrol_staff bob --group "Front desk"
    python manage.py enrol_staff bob --keep-password --replace-device   # lost phone

The password comes from a prompt, or for automation from ``--password-file`` (``-``
reads standard input) or the ``ENROL_STAFF_PASSWORD`` variable. It must pass the
site's password validators.
"""

import getpass
import io
import os
import sys

import qrcode
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD_ENV = "ENROL_STAFF_PASSWORD"  # noqa: S105 - the variable's name, not a password
DEVICE_NAME = "Authenticator app"


class Command(BaseCommand):
    help = "Create or update a staff account with a password and an authenticator app."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default=None, help="The person's work email.")
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="Give every permission (for the clinic's website administrator only).",
        )
        parser.add_argument(
            "--group",
            action="append",
            default=[],
            dest="groups",
            metavar="NAME",
            help="Add to this group (repeat for several); run setup_roles first.",
        )
        parser.add_argument(
            "--password-file",
            default=None,
            help="Read the password from the first line of this file ('-' for stdin).",
        )
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="Leave an existing account's password as it is.",
        )
        parser.add_argument(
            "--replace-device",
            action="store_true",
            help="Remove the account's authenticators and register a new one "
            "(lost or replaced phone).",
        )
        parser.add_argument(
            "--no-qr", action="store_true", help="Print the otpauth:// address only."
        )

    def handle(self, *args, username, email, superuser, groups, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        creating = user is None
        if creating and options["keep_password"]:
            raise CommandError(f"There is no account {username!r} whose password to keep.")
        group_objects = self._groups(groups)

        password = None
        if not options["keep_password"]:
            password = self._password(options["password_file"])
            candidate = user or User(username=username, email=email or "")
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as error:
                raise CommandError("Password refused: " + " ".join(error.messages)) from None

        existing_devices = [] if creating else list(devices_for_user(user))
        if existing_devices and not options["replace_device"]:
            raise CommandError(
                f"{username!r} already has an authenticator. Use --replace-device to "
                "register a new one (the old one stops working)."
            )

        with transaction.atomic():
            if creating:
                user = User(username=username)
            if email is not None:
                user.email = email
            user.is_staff = True
            user.is_active = True
            if superuser:
                user.is_superuser = True
            if password is not None:
                user.set_password(password)
            user.save()
            if group_objects:
                user.groups.add(*group_objects)
            for device in existing_devices:
                device.delete()
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)

        action = "Created" if creating else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{action} staff account {username!r}."))
        self._show_device(device, qr=not options["no_qr"])

    def _groups(self, names):
        found = []
        for name in names:
            group = Group.objects.filter(name=name).first()
            if group is None:
                raise CommandError(
                    f"No group named {name!r}. Run `python manage.py setup_roles` first."
                )
            found.append(group)
        return found

    def _password(self, source):
        if source == "-":
            password = sys.stdin.readline().rstrip("\r\n")
        elif source:
            try:
                with open(source, encoding="utf-8") as handle:
                    password = handle.readline().rstrip("\r\n")
            except OSError as error:
                raise CommandError(f"Cannot read the password file: {error.strerror}") from None
        elif os.environ.get(PASSWORD_ENV):
            password = os.environ[PASSWORD_ENV]
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if getpass.getpass("Password (again): ") != password:
                raise CommandError("The two passwords did not match.")
        else:
            raise CommandError(
                f"No password given: run in a terminal, or use --password-file or {PASSWORD_ENV}."
            )
        if not password:
            raise CommandError("The password is empty.")
        return password

    def _show_device(self, device, *, qr: bool):
        url = device.config_url
        self.stdout.write(
            "\nAdd this account to an authenticator app (Google Authenticator, Microsoft "
            "Authenticator, 1Password, FreeOTP...) by scanning the code below or entering "
            "the address by hand. It is shown only now: do not email or message it.\n"
        )
        if qr:
            code = qrcode.QRCode(border=2)
            code.add_data(url)
            code.make(fit=True)
            out = io.StringIO()
            code.print_ascii(out=out, invert=True)
            self.stdout.write(out.getvalue())
        self.stdout.write(url)
        self.stdout.write(
            "\nThen log in at the admin with the username, the password and the 6-digit "
            "code the app shows."
        )
