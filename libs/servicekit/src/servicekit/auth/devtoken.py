"""Development tokens: ``concord-token --role secretariat --alliance aii``.

Signs an HS256 JWT with the local shared secret that ``make up`` gives the gateway. Production
tokens come from the identity provider (JWKS) instead.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import jwt

DEFAULT_SECRET_FILE = ".run/jwt-secret"
DEV_ISSUER = "concord-dev"
DEV_AUDIENCE = "concord"  # the local gateway's CONCORD_JWT_AUDIENCE


def mint(
    secret: str,
    *,
    sub: str,
    name: str = "",
    operator: bool = False,
    alliances: dict[str, list[str]] | None = None,
    locale: str = "zh",
    ttl: int = 12 * 3600,
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "name": name or sub,
        "locale": locale,
        "alliances": alliances or {},
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "exp": now + ttl,
    }
    if operator:
        claims["operator"] = True
    return jwt.encode(claims, secret, algorithm="HS256")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print a development JWT for Concord.")
    parser.add_argument(
        "--role",
        default="operator",
        help="'operator' (platform operator) or a role in --alliance "
        "(secretariat, chair, director, contact_person, …; comma-separated)",
    )
    parser.add_argument("--alliance", default="", help="alliance slug, e.g. aii")
    parser.add_argument("--sub", default="", help="user id (default derived from role)")
    parser.add_argument("--name", default="")
    parser.add_argument("--locale", default="zh", choices=["zh", "en"])
    parser.add_argument("--ttl", type=int, default=12 * 3600, help="seconds")
    parser.add_argument("--secret", default=os.environ.get("CONCORD_JWT_SECRET"))
    args = parser.parse_args(argv)
    secret = args.secret
    if not secret and os.path.exists(DEFAULT_SECRET_FILE):
        with open(DEFAULT_SECRET_FILE) as f:
            secret = f.read().strip()
    if not secret:
        parser.error("no secret: pass --secret, set CONCORD_JWT_SECRET or run 'make up' first")
    operator = args.role == "operator"
    if not operator and not args.alliance:
        parser.error(f"role {args.role!r} needs --alliance")
    roles = [] if operator else [r.strip() for r in args.role.split(",") if r.strip()]
    sub = args.sub or ("operator" if operator else f"{args.alliance}-{roles[0]}")
    print(
        mint(
            secret,
            sub=sub,
            name=args.name,
            operator=operator,
            alliances={args.alliance: roles} if roles else {},
            locale=args.locale,
            ttl=args.ttl,
        )
    )


if __name__ == "__main__":
    main()
