"""`manage.py remove_two_factor USERNAME --by SUPERUSER`: the recovery for a lost or replaced phone.

Removes the account's two-factor devices: it then signs in with its password alone (its current
sessions end), and sets up two-factor sign-in again; a superuser must, when REQUIRE_2FA_FOR_SUPERUSERS
is on. Only someone who can run commands on the server can do this, and must name the superuser
on whose authority it is done; the removal is logged with both names."""

import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from activities import two_factor

log = logging.getLogger("activities.two_factor")


class Command(BaseCommand):
    help = "Remove a user's two-factor device (a lost phone), so that they can set it up again."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account whose device is removed.")
        parser.add_argument(
            "--by", required=True, metavar="SUPERUSER", help="The superuser doing it (logged)."
        )

    def handle(self, *, username, by, **options):
        users = get_user_model().objects
        superuser = users.filter(username=by, is_superuser=True, is_active=True).first()
        if superuser is None:
            raise CommandError(f"--by {by!r} is not an active superuser.")
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        removed = two_factor.totp_devices_remove(user=user)
        if not removed:
            raise CommandError(f"{username} has no two-factor device: nothing removed.")
        log.warning("two-factor device removed for %s by %s", username, by)
        self.stdout.write(
            f"Removed {removed} two-factor device(s) of {username}. They sign in with their password "
            "now, and set up two-factor sign-in again at /accounts/two-factor/."
        )
