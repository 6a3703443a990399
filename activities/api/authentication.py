"""API token authentication: `Authorization: Token <key>`.

Only a SHA-256 hash of each key is stored (and a short prefix to tell tokens apart), so a leaked
database does not leak working keys. A token authenticates as its owner: everything it may do is
decided by activities.permissions for that user, and a read-only token can never write
(see access.TokenScope).

Failed token authentication is limited per client address (activities.security.token_failures,
API_TOKEN_FAILURE_LIMIT in API_TOKEN_FAILURE_WINDOW seconds): authentication runs before DRF's
throttles, so they alone would let a client guess keys without limit."""

import datetime
import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from activities.models import APIToken
from activities.security import token_failures

KEY_PREFIX = "st_"
PREFIX_LENGTH = 12
# last_used_at is written at most this often, so that a busy sync does not cost a write per request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> tuple[str, str, str]:
    """A new key, its display prefix and its hash. The key itself is never stored."""
    while True:
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        prefix = key[:PREFIX_LENGTH]
        if not APIToken.objects.filter(prefix=prefix).exists():
            return key, prefix, hash_key(key)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token st_…`; unknown, revoked or malformed tokens are refused with 401."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        wait = token_failures.retry_after(request)
        if wait is not None:
            raise exceptions.Throttled(
                wait,
                detail="Too many failed token attempts from this address. "
                f"Try again in {wait} seconds, with a valid token.",
            )
        try:
            return self._authenticate_header(header)
        except exceptions.AuthenticationFailed:
            token_failures.record_failure(request)
            raise

    def _authenticate_header(self, header):
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: expected 'Token <key>' with no spaces in the key."),
                code="token_malformed",
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token contains invalid characters.")) from exc
        return self.authenticate_key(key)

    def authenticate_key(self, key: str):
        token = APIToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."), code="token_invalid")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This token has been revoked. Ask the Secretariat for a new one."), code="token_revoked"
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("The account this token belongs to is disabled."), code="user_inactive"
            )
        if token.created_by_id and token.created_by_id != token.user_id:
            # What is done with the token counts as its issuer's too (separation of duties).
            token.user.credential_issuer_id = token.created_by_id
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
