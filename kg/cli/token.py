"""``klaster token``: create, list and revoke steward and admin tokens.

A new token is printed once; only its SHA-256 is kept (see :mod:`kg.auth`).
"""

from __future__ import annotations

import argparse
import sys

from kg.auth import ROLES, open_registry
from kg.cli.options import add_setting_option, add_store_option, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "token", help="create, list or revoke steward/admin tokens",
        description="Manage the bearer tokens of stewards and admins. Tokens are stored only as "
        "hashes in the token database (KLASTER_AUTH_DB).")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=type(parser))
    actions.required = True

    create = actions.add_parser("create", help="create a token and print it once")
    create.add_argument("--name", required=True, metavar="NAME", help="steward or admin name")
    create.add_argument("--role", required=True, choices=ROLES)
    create.set_defaults(func=run_create)

    listing = actions.add_parser("list", help="list tokens (never the tokens themselves)")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    listing.set_defaults(func=run_list)

    revoke = actions.add_parser("revoke", help="revoke a token by id, or every token of a name")
    revoke.add_argument("target", metavar="NAME_OR_ID")
    revoke.set_defaults(func=run_revoke)

    for sub in (create, listing, revoke):
        add_store_option(sub)
        add_setting_option(sub, "auth_db")


def run_create(args: argparse.Namespace) -> int:
    issued = open_registry(settings_from(args)).create(args.name, args.role)
    print(f"klaster: token {issued.token_id} for {issued.role} {issued.name!r}; it is shown only "
          "once: keep it secret", file=sys.stderr)
    print(issued.token)
    return 0


def run_list(args: argparse.Namespace) -> int:
    records = [r for r in open_registry(settings_from(args)).list() if args.all or r.active]
    print(f"{'id':<10} {'role':<8} {'name':<24} {'created':<26} revoked")
    for r in records:
        print(f"{r.token_id:<10} {r.role:<8} {r.name:<24} {r.created:<26} {r.revoked or '-'}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    count = open_registry(settings_from(args)).revoke(args.target)
    print(f"revoked {count} token(s)")
    return 0
