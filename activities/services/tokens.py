"""API tokens issued to partners."""

from django.db import transaction

from .. import permissions
from ..api.authentication import generate_key
from ..models import (
    APIToken,
)
from ..permissions import Action

# --- API tokens ----------------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, user, owner, name: str, scope: str) -> tuple[APIToken, str]:
    """Issue a token that acts as `owner`. Returns the token and its key, which is not stored and cannot
    be shown again. The issuer is recorded: what is done with the token counts as theirs too."""
    permissions.require(user, Action.TOKEN_ISSUE, owner)
    key, prefix, key_hash = generate_key()
    token = APIToken(
        user=owner, name=name.strip(), scope=scope, prefix=prefix, key_hash=key_hash, created_by=user
    )
    token.full_clean()
    token.save()
    return token, key
