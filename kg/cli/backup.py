"""``klaster backup``: an online, consistent backup of the store and the token database."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.cli.options import add_setting_option, add_store_option, settings_from
from kg.errors import BadRequest


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backup", help="back up the store (online, consistent) and the token database",
        description="Write a consistent checkpoint of the store, the token database (with the "
        "write log) and a manifest into --out, a new or empty directory. Safe while 'klaster serve' "
        "runs: every submission or update is either wholly in the backup or not at all. Restore "
        "with 'klaster restore DIR --store NEWDIR'.")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="new or empty directory to write the backup into")
    add_store_option(parser)
    add_setting_option(parser, "auth_db")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.backup import backup

    settings = settings_from(args)
    if settings.is_remote:
        raise BadRequest("klaster backup works on an embedded store; back up a remote store "
                         "with its own tools")
    summary = backup(settings.store, args.out, auth_db=settings.auth_db_path)
    auth = " and the token database" if summary.auth else ""
    print(f"backed up {summary.quads:,} quads in {summary.graphs} named graphs{auth} to "
          f"{summary.directory} ({summary.seconds:.1f} s)")
    return 0
