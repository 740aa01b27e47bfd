"""Create a Thrive support account: staff in the "Support" group, never a superuser.

The password is typed at a prompt, read from an environment variable or from standard input;
never from the command line, where it would stay in the shell history and the process list.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from thrive.support import (
    SUPPORT_GROUP,
    SupportUserRefused,
    support_email_check,
    support_user_create,
    support_user_promote,
)


class Command(BaseCommand):
    help = (
        "Create a support account for the admin (/admin/): staff in the Support group, which "
        "can read connections, syncs and audit trails and run the console's actions."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Read the password from this environment variable instead of a prompt.",
        )
        source.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        source.add_argument(
            "--existing",
            action="store_true",
            help="The account exists already: make it a support user, keeping its password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"]
        try:
            if options["existing"]:
                user = support_user_promote(email=email)
                self.stdout.write(f"{user.email} is now a support user (group {SUPPORT_GROUP}).")
                return
            email = support_email_check(email=email)
            user = support_user_create(email=email, password=self._password(options))
        except SupportUserRefused as refused:
            hint = " To make it a support user, run again with --existing."
            raise CommandError(f"{refused}{hint if refused.existing else ''}") from None
        self.stdout.write(
            f"Created support user {user.email} (group {SUPPORT_GROUP}). Sign in at /admin/."
        )

    def _password(self, options: dict[str, Any]) -> str:
        variable = options["password_from_env"]
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"The environment variable {variable} is empty or not set.")
            return password
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise CommandError("No password on standard input.")
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                "No terminal to ask for the password: use --password-from-env VAR or "
                "--password-stdin."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords did not match.")
        if not password:
            raise CommandError("The password is empty.")
        return password
