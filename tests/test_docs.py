"""The README documents every setting, command, canned question and endpoint, and keeps its promises
about the two commands and CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.cli import COMMANDS
from kg.resources import data_folder
from kg.settings import SETTINGS, load_settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _config_table() -> dict[str, str]:
    rows = {}
    for line in README.splitlines():
        match = re.match(r"\|\s*`(KLASTER_[A-Z_]+)`\s*\|", line)
        if match:
            rows[match.group(1)] = line
    return rows


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.env for s in SETTINGS])
def test_every_setting_is_in_the_configuration_table(setting) -> None:
    rows = _config_table()
    assert setting.env in rows, f"{setting.env} is missing from README's configuration table"


def test_the_configuration_table_has_no_unknown_setting() -> None:
    known = {s.env for s in SETTINGS}
    assert set(_config_table()) <= known


def test_documented_defaults_match_the_registry() -> None:
    rows = _config_table()
    defaults = load_settings({})
    for setting in SETTINGS:
        value = getattr(defaults, setting.name)
        if value is None:
            continue
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        assert f"`{shown}`" in rows[setting.env] or f"| {shown} |" in rows[setting.env], \
            f"README gives another default for {setting.env} than {shown}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_documented(command: str) -> None:
    assert re.search(rf"^klaster {command}\b", README, re.M), f"klaster {command} is not in README"


def test_every_canned_question_is_documented() -> None:
    names = sorted(p.stem for p in data_folder("queries").glob("*.rq"))
    assert names
    for name in names:
        assert f"`{name}`" in README, f"question {name} is not in README"


def test_every_endpoint_is_documented(app) -> None:
    documented = README.replace("{", "<").replace("}", ">")
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"<\1>", rule.rule).rstrip("/") or "/"
        stem = path.split("<")[0].rstrip("/") or "/"
        if f"`{stem}" not in documented and f" {stem}" not in documented:
            missing.append(rule.rule)
    assert not missing, f"endpoints missing from README: {missing}"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    assert len(blocks) >= 2
    run, test = blocks[0].strip(), blocks[1].strip()
    assert "klaster serve" in run and "pip install" in run
    assert "pytest" in test and "pip install" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines(), ".ci/run must call exactly the README's test command"
    first_heading = README.index("\n## ")
    assert README.index(run) < first_heading and README.index(test) < first_heading
