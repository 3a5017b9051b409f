"""The ``klaster`` command line: a thin shell over :mod:`kg`.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds the parser
and sets ``func``. Errors Klaster raises on purpose become one line on stderr and a non-zero exit;
anything else is reported as an internal error without a traceback (``KLASTER_DEBUG=1`` shows it).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from kg import __version__
from kg.errors import KlasterError, QuerySyntaxError

#: Sub-command modules, in the order ``klaster --help`` lists them.
COMMANDS = ("serve", "init", "load", "query", "ask", "validate", "submit", "export", "link", "token", "synth",
            "backup", "restore")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other bad input
        self.exit(2, f"klaster: error: {message} (see 'klaster {self.prog.split()[-1]} --help')\n"
                  if " " in self.prog else f"klaster: error: {message} (see 'klaster --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="klaster", description="Klaster: a knowledge graph of Indonesia's MSME clusters.")
    parser.add_argument("--version", action="version", version=f"klaster {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for name in COMMANDS:
        importlib.import_module(f"kg.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except QuerySyntaxError as exc:
        print(f"klaster: {exc.title}: {exc.detail}", file=sys.stderr)
        return exc.exit_code
    except KlasterError as exc:
        print(f"klaster: {exc.detail}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("klaster: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence for a CLI
        if os.environ.get("KLASTER_DEBUG"):
            raise
        print(f"klaster: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
