"""``klaster restore``: restore a backup made by ``klaster backup`` into a new store directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.cli.options import add_setting_option, settings_from
from kg.errors import BadRequest


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "restore", help="restore a backup into a new, empty store directory",
        description="Restore a backup made by 'klaster backup' into --store, which must not exist "
        "or be empty (an existing store is never overwritten). The token database goes to "
        "KLASTER_AUTH_DB (default <store>.auth.sqlite), which must not exist either.")
    parser.add_argument("backup", type=Path, metavar="DIR", help="the backup directory")
    parser.add_argument("--store", dest="store", required=True, metavar="DIR",
                        help="the new store directory to restore into")
    add_setting_option(parser, "auth_db")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.backup import restore

    settings = settings_from(args)
    if settings.is_remote:
        raise BadRequest("klaster restore writes an embedded store: give --store a directory")
    summary = restore(args.backup, settings.store, auth_db=settings.auth_db_path)
    auth = " and the token database" if summary.auth else ""
    print(f"restored {summary.quads:,} quads in {summary.graphs} named graphs{auth} into "
          f"{summary.directory} ({summary.seconds:.1f} s)")
    return 0
