"""Two-factor sign-in for the Secretariat (django-otp, TOTP): enrolment of an authenticator app, the
code step between the password and the session, the rule that enrolled sessions passed it, and that
superusers enrol when REQUIRE_2FA_FOR_SUPERUSERS is on. The pages are activities/views/accounts.py;
who may enrol is activities.permissions.may_enrol_two_factor.

Wrong and replayed codes are failed sign-ins for django-axes (user_login_failed), so that one lockout
covers passwords and codes."""

import re
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# Whether the signed-in account has a confirmed device is read once, at sign-in, and kept in the
# session, so that requests pay no query for it; a verified session's device is loaded by django-otp.
OTP_ENROLLED_KEY = "otp_enrolled"
# Between the password and the code: who passed the password step, and when (the code step must follow
# within TWO_FACTOR_PENDING_SECONDS, or the password is asked again).
TWO_FACTOR_PENDING_KEY = "two_factor_pending"
TWO_FACTOR_PENDING_SECONDS = 300


def two_factor_required(user) -> bool:
    """Whether this account must enrol before using anything (REQUIRE_2FA_FOR_SUPERUSERS)."""
    return bool(settings.REQUIRE_2FA_FOR_SUPERUSERS and user.is_superuser)


def note_two_factor_enrolment(sender, request, user, **kwargs):
    """user_logged_in: remember in the session whether the account has a second factor."""
    if hasattr(request, "session"):
        request.session[OTP_ENROLLED_KEY] = user_has_device(user)


def two_factor_pending_start(request, user, *, next_url: str) -> None:
    request.session[TWO_FACTOR_PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "next": next_url,
        "started": int(time.time()),
    }


def two_factor_pending(request) -> dict | None:
    """The password step this browser passed, if it is recent enough; None otherwise."""
    pending = request.session.get(TWO_FACTOR_PENDING_KEY)
    if not pending or time.time() - pending["started"] > TWO_FACTOR_PENDING_SECONDS:
        return None
    return pending


def qr_code_svg(data: str, *, label: str) -> str:
    """A QR code of `data` as inline SVG markup: no script, no style attribute (the CSP allows
    neither), sized by the stylesheet (.qr-code), with a white quiet zone for dark themes."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    svg = image.to_string(encoding="unicode")
    # its fixed size in mm gives way to the stylesheet's; the viewBox keeps the proportions
    return re.sub(
        r'^<svg width="[^"]*" height="[^"]*"',
        f'<svg class="qr-code" role="img" aria-label="{escape(label)}"',
        svg,
        count=1,
    )


class TwoFactorMiddleware:
    """After the sign-in: an account with a second factor whose session has not passed the code step
    (signed in some other way) is signed out and sent to the sign-in page; a superuser without one,
    when REQUIRE_2FA_FOR_SUPERUSERS is on, can open only the enrolment page and sign out until they
    have enrolled. API requests with a token are not sessions and are not affected."""

    EXEMPT_URL_NAMES = {"two-factor-enrol", "logout"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        enrolled = request.session.get(OTP_ENROLLED_KEY)
        # Asked again for a session from before two-factor sign-in existed, and for a superuser who
        # must enrol: they may have done so in another browser since this session began.
        ask = enrolled is None or (not enrolled and two_factor_required(user))
        if ask and (now_enrolled := user_has_device(user)) != enrolled:
            enrolled = request.session[OTP_ENROLLED_KEY] = now_enrolled
        if enrolled and not user.is_verified():
            logout(request)
            return redirect_to_login(request.get_full_path())
        if not enrolled and two_factor_required(user) and not self.exempt(request):
            return self.enrol_first(request)
        return self.get_response(request)

    def exempt(self, request) -> bool:
        try:
            return resolve(request.path_info).url_name in self.EXEMPT_URL_NAMES
        except Resolver404:
            return False

    def enrol_first(self, request):
        if request.path.startswith("/api/"):
            message = gettext(
                "Superusers must set up two-factor sign-in before using the site: open %(url)s."
            ) % {"url": request.build_absolute_uri(reverse("two-factor-enrol"))}
            body = {"errors": [{"field": None, "code": "two_factor_required", "detail": message}]}
            return JsonResponse(body, status=403)
        return redirect(f"{reverse('two-factor-enrol')}?{urlencode({'next': request.get_full_path()})}")


@transaction.atomic
def totp_device_confirm(*, user, key: str, code: str) -> TOTPDevice:
    """Enrol `user` with the authenticator app set up from `key` (hex), once it has shown a right
    `code`: the first code proves the app and the server agree. That code cannot be used again."""
    if user_has_device(user):
        raise ValidationError(
            _("Two-factor sign-in is already set up for this account."), code="otp_enrolled"
        )
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    if not totp.verify(int(code), tolerance=1):
        raise ValidationError(
            _(
                "That is not the code the app shows now. Check that the phone's clock is right, "
                "and enter the current code."
            ),
            code="otp_wrong",
        )
    return TOTPDevice.objects.create(
        user=user,
        name=str(_("Authenticator app")),
        key=key,
        confirmed=True,
        last_t=totp.t(),
        drift=totp.drift,
    )


@transaction.atomic
def totp_devices_remove(*, user) -> int:
    """Remove every two-factor device of `user` (a lost phone); returns how many there were."""
    deleted, _by_model = TOTPDevice.objects.filter(user=user).delete()
    return deleted
