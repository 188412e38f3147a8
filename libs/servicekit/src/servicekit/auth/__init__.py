"""Who is calling: the principal from the claims the gateway verified and signed.

The gateway verifies the caller's JWT and sends its claims to the subgraph in
``x-concord-claims``, signed together with the exact request body (docs/conventions.md). A
subgraph trusts claims only when that signature verifies, so a call that did not come through
the gateway is refused.
"""

from servicekit.auth.principal import Principal
from servicekit.auth.signing import (
    SIGNATURE_MAX_AGE,
    Unauthenticated,
    sign_request,
    verify_request,
)

__all__ = ["SIGNATURE_MAX_AGE", "Principal", "Unauthenticated", "sign_request", "verify_request"]
