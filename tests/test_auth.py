"""Tokens: hashed at rest, constant-time checked, revocable; the write log is append-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kg.auth import Principal, TokenRegistry, open_registry, parse_bearer
from kg.errors import BadRequest, NotFound
from kg.settings import load_settings


@pytest.fixture
def registry(tmp_path: Path) -> TokenRegistry:
    return TokenRegistry(tmp_path / "auth.sqlite", admin_token="the-admin-secret-value")


def test_token_authenticates_and_is_stored_only_as_a_hash(registry: TokenRegistry) -> None:
    issued = registry.create("dinas-sidoarjo", "steward")
    assert issued.token.startswith(issued.token_id + ".")
    assert len(issued.token) > 40
    assert registry.authenticate(issued.token) == Principal("dinas-sidoarjo", "steward")
    raw = registry.path.read_bytes()
    secret = issued.token.split(".", 1)[1]
    assert secret.encode() not in raw and issued.token.encode() not in raw
    assert issued.token not in repr(issued)
    assert registry.path.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_wrong_tampered_and_malformed_tokens_are_refused(registry: TokenRegistry) -> None:
    issued = registry.create("dinas-sidoarjo", "steward")
    tampered = issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")
    other_id = "00000000" + issued.token[8:]
    for bad in (None, "", tampered, other_id, issued.token_id, "x" * 5000, "not.a token", "ü.ü"):
        assert registry.authenticate(bad) is None


def test_admin_token_setting_is_an_admin(registry: TokenRegistry) -> None:
    assert registry.authenticate("the-admin-secret-value") == Principal("admin", "admin")
    assert registry.authenticate("the-admin-secret-valuE") is None
    assert TokenRegistry(registry.path).authenticate("the-admin-secret-value") is None


def test_revoke_by_id_and_by_name(registry: TokenRegistry) -> None:
    a1 = registry.create("a", "steward")
    a2 = registry.create("a", "steward")
    b = registry.create("b", "admin")
    assert registry.revoke(a1.token_id) == 1
    assert registry.authenticate(a1.token) is None
    assert registry.authenticate(a2.token) == Principal("a", "steward")
    assert registry.revoke("a") == 1
    assert registry.authenticate(a2.token) is None
    assert registry.authenticate(b.token) == Principal("b", "admin")
    with pytest.raises(NotFound):
        registry.revoke("a")
    listed = {r.token_id: r for r in registry.list()}
    assert not listed[a1.token_id].active and not listed[a2.token_id].active
    assert listed[b.token_id].active and listed[b.token_id].role == "admin"


@pytest.mark.parametrize("name, role", [("", "steward"), ("a b", "steward"), ("../x", "steward"),
                                        ("<x>", "admin"), ("ok", "root")])
def test_bad_names_and_roles_are_refused(registry: TokenRegistry, name: str, role: str) -> None:
    with pytest.raises(BadRequest):
        registry.create(name, role)


def test_write_log_is_append_only(registry: TokenRegistry) -> None:
    registry.log(Principal("a", "steward"), "submit", "20260101-000000-abcdef")
    registry.log(Principal("admin", "admin"), "withdraw", "20260101-000000-abcdef", "note")
    entries = registry.log_entries()
    assert [(e.who, e.role, e.action) for e in entries] == [
        ("a", "steward", "submit"), ("admin", "admin", "withdraw")]
    assert entries[0].at.endswith("+00:00")
    with sqlite3.connect(registry.path) as conn:
        for sql in ("UPDATE write_log SET who = 'mallory'", "DELETE FROM write_log"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(sql)
    assert len(registry.log_entries()) == 2


def test_parse_bearer() -> None:
    assert parse_bearer("Bearer abc.def") == "abc.def"
    assert parse_bearer("bearer   abc ") == "abc"
    assert parse_bearer("Basic abc") is None
    assert parse_bearer("Bearer ") is None
    assert parse_bearer(None) is None


def test_registry_path_comes_from_settings(tmp_path: Path) -> None:
    settings = load_settings({}, store=str(tmp_path / "store"))
    registry = open_registry(settings)
    assert registry.path == Path(str(tmp_path / "store") + ".auth.sqlite")
    assert not registry.path.exists()  # nothing touched until first use
    registry.create("x", "steward")
    assert registry.path.exists()


def test_token_cli_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from kg.cli import token as token_cli

    parser = argparse.ArgumentParser()
    token_cli.register(parser.add_subparsers())
    db = str(tmp_path / "auth.sqlite")

    def run(*argv: str) -> tuple[int, str]:
        args = parser.parse_args(["token", *argv, "--auth-db", db])
        code = args.func(args)
        return code, capsys.readouterr().out

    code, out = run("create", "--name", "dinas-jombang", "--role", "steward")
    token = out.strip()
    assert code == 0 and "." in token
    registry = TokenRegistry(db)
    assert registry.authenticate(token) == Principal("dinas-jombang", "steward")
    code, out = run("list")
    assert "dinas-jombang" in out and token not in out
    code, out = run("revoke", "dinas-jombang")
    assert code == 0 and "revoked 1" in out
    assert registry.authenticate(token) is None
