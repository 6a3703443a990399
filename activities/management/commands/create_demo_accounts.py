"""`manage.py create_demo_accounts`: the logins that `make run` prints, for local development.

The passwords are fixed and published in this file, so the command refuses to run with DEBUG off
unless told `--allow-production`, and never silently replaces a password someone has changed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.models import Delegation, FocalPoint, Objective, RangeState
from activities.permissions import FOCAL_POINTS_GROUP, SECRETARIAT_GROUP


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    kind: str  # "superuser", "secretariat", "focal_point" or "delegate"
    range_state_iso: str | None = None  # the Range State a focal point or delegate reports for
    # A delegate drafts for one objective (strategy slug, objective number), delegated by `delegated_by`.
    delegated_objective: tuple[str, int] | None = None
    delegated_by: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("secretariat", "secretariat-demo", "Secretariat (superuser)", "superuser"),
    DemoAccount("reviewer", "reviewer-demo", "Secretariat staff (reviews submissions)", "secretariat"),
    DemoAccount("focal-armenia", "focal-armenia-demo", "National focal point, Armenia", "focal_point", "AM"),
    DemoAccount("focal-iran", "focal-iran-demo", "National focal point, Iran", "focal_point", "IR"),
    DemoAccount(
        "expert-armenia",
        "expert-armenia-demo",
        "National expert, Armenia: drafts Objective 3 of the Persian Leopard Strategy",
        "delegate",
        "AM",
        delegated_objective=("persian-leopard-2023-2032", 3),
        delegated_by="focal-armenia",
    ),
]

KEPT = "exists with another password: kept (--reset-passwords restores the demo one)"


class Command(BaseCommand):
    help = "Create the demo Secretariat and focal-point accounts (idempotent; development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even though DEBUG is off. The demo passwords are public: never use this on a real site.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the demo password on demo accounts whose password has been changed.",
        )

    def handle(self, *args, allow_production, reset_passwords, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off, so this looks like production: refusing to create accounts with public "
                "demo passwords. Pass --allow-production if that is really what you want."
            )
        range_states = self._range_states()
        with transaction.atomic():
            outcomes = [
                (account, self._ensure(account, range_states, reset_passwords=reset_passwords))
                for account in DEMO_ACCOUNTS
            ]
        self._print_table(outcomes)

    def _range_states(self) -> dict[str, RangeState]:
        wanted = {a.range_state_iso for a in DEMO_ACCOUNTS if a.range_state_iso}
        found = {rs.iso_code: rs for rs in RangeState.objects.filter(iso_code__in=wanted)}
        if missing := sorted(wanted - found.keys()):
            raise CommandError(
                f"Range State(s) {', '.join(missing)} not found: run `manage.py seed` first, "
                "then run this command again."
            )
        return found

    def _ensure(self, account: DemoAccount, range_states, *, reset_passwords: bool) -> str:
        """Create the account or check the existing one; return what happened, for the table."""
        User = get_user_model()
        user = User.objects.filter(username=account.username).first()
        if user is None:
            make = User.objects.create_superuser if account.kind == "superuser" else User.objects.create_user
            user = make(account.username, f"{account.username}@example.org", account.password)
            outcome = "created"
        elif user.check_password(account.password):
            outcome = "already there"
        elif reset_passwords:
            user.set_password(account.password)
            user.save(update_fields=["password"])
            outcome = "password reset to the demo one"
        else:
            # Someone chose another password; it is theirs to keep. Leave the account untouched.
            return KEPT
        if account.kind == "secretariat":
            user.is_staff = True  # the admin; what they may change comes from the Secretariat group
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
        if account.kind == "focal_point":
            FocalPoint.objects.get_or_create(user=user, range_state=range_states[account.range_state_iso])
            user.groups.add(Group.objects.get(name=FOCAL_POINTS_GROUP))
        if account.kind == "delegate":
            self._ensure_delegation(account, user, range_states[account.range_state_iso])
        return outcome

    def _ensure_delegation(self, account: DemoAccount, user, range_state) -> None:
        slug, number = account.delegated_objective
        objective = Objective.objects.filter(strategy__slug=slug, number=number).first()
        granted_by = get_user_model().objects.filter(username=account.delegated_by).first()
        if objective is None or granted_by is None:
            raise CommandError(f"Objective {number} of {slug} not found: run `manage.py seed` first.")
        Delegation.objects.get_or_create(
            delegate=user,
            range_state=range_state,
            objective=objective,
            revoked_at=None,
            defaults={"granted_by": granted_by},
        )

    def _print_table(self, outcomes):
        rows = [("username", "password", "role", "status")]
        for account, outcome in outcomes:
            password = "(not the demo one)" if outcome == KEPT else account.password
            rows.append((account.username, password, account.role, outcome))
        w = [max(len(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("Demo accounts (local development only):")
        for i, (username, password, role, status) in enumerate(rows):
            line = f"  {username:<{w[0]}}  {password:<{w[1]}}  {role:<{w[2]}}  {status}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if i == 0 else line)
