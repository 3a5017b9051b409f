"""Options shared by several sub-commands, built from the settings registry."""

from __future__ import annotations

import argparse

from kg.settings import SETTINGS, Settings, load_settings

_BY_NAME = {s.name: s for s in SETTINGS}


def add_setting_option(parser: argparse.ArgumentParser, name: str, *flags: str) -> None:
    """Add ``--<name>`` for a registered setting; its help and default come from the registry."""
    setting = _BY_NAME[name]
    flags = flags or (f"--{name.replace('_', '-')}",)
    parser.add_argument(*flags, dest=name, default=None, metavar=name.split("_")[-1].upper(),
                        help=f"{setting.help} (env {setting.env}; default {setting.default})")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    add_setting_option(parser, "store")


def settings_from(args: argparse.Namespace) -> Settings:
    overrides = {s.name: getattr(args, s.name) for s in SETTINGS
                 if getattr(args, s.name, None) is not None}
    return load_settings(**overrides)
