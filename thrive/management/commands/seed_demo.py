"""Create the demo workspace and its sign-in for `make dev`. Refuses to run with DEBUG off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from thrive.models import User, Workspace
from thrive.services import membership_add, workspace_create

DEMO_EMAIL = "demo@thrive.local"
DEMO_PASSWORD = "thrive-demo"  # noqa: S105 -- a published demo sign-in, only ever with DEBUG on
DEMO_WORKSPACE = "Demo workspace"


def sign_in_banner(state: str, url: str, simulator_url: str) -> str:
    """What `make dev` prints before its servers start and again once the web server answers."""
    return (
        f"\n  Thrive is {state} on {url}\n"
        f"  Sign in as {DEMO_EMAIL} with password {DEMO_PASSWORD}\n"
        f"  Exchange traffic goes to the local simulator; its demo keys (label “demo”):\n"
        f"  {simulator_url}/_sim/accounts?exchange=binance\n"
    )


class Command(BaseCommand):
    help = "Create the demo user and workspace (development only; needs DEBUG on)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where the app runs.")
        parser.add_argument(
            "--simulator-url",
            default="http://127.0.0.1:8900",
            help="Where the exchange simulator runs (its demo keys are listed there).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: the demo password is public.")
        self.seed()
        self.stdout.write(
            self.style.SUCCESS(sign_in_banner("starting", options["url"], options["simulator_url"]))
        )

    @transaction.atomic
    def seed(self) -> None:
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = User.objects.create_user(email=DEMO_EMAIL, password=DEMO_PASSWORD)
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        workspace = Workspace.objects.filter(memberships__user=user, name=DEMO_WORKSPACE).first()
        if workspace is None:
            workspace = workspace_create(name=DEMO_WORKSPACE, owner=user, plan=Workspace.Plan.PRO)
        membership_add(workspace=workspace, user=user)
