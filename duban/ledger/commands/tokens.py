"""`duban ledger token USER`: issue, rotate or revoke a person's API token (the key is printed once, on stdout)."""

from __future__ import annotations

import argparse

from ..registry import command as register


def add_parsers(command, item) -> None:
    p = command("token", "print a person's API token (Authorization: Token KEY), issuing one when they have none")
    p.add_argument("username", metavar="USER")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--rotate", action="store_true", help="replace the token: the old key stops working")
    what.add_argument("--revoke", action="store_true", help="delete the token: the API refuses it from now on")


@register("token")
def token(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from ..errors import LedgerError
    from ..services import tokens

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        raise LedgerError(f"no person with the username {args.username!r}")
    if args.revoke:
        revoked = tokens.revoke_token(user)
        print(f"the API token of {user.get_username()} was revoked" if revoked else f"{user.get_username()} had no API token")
        return 0
    print(tokens.issue_token(user, rotate=args.rotate))
    return 0
