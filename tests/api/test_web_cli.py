"""``handoff users`` and ``handoff serve``: tokens printed once, assignments, listing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from handoff.settings import get_settings
from index.store import Store

runner = CliRunner()


def test_users_add_prints_the_token_alone_on_the_last_line(home: Path) -> None:
    r = runner.invoke(cli, ["users", "add", "Anna.Keller@Example.com", "--role", "rep",
                            "--team", "DACH", "--password", "s3cret-pass"])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("hb_") and " " not in token
    assert r.stdout.strip() == token  # nothing else on stdout: `| tail -n 1` is safe
    with TestClient(create_app(get_settings())) as client:
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["email"] == "anna.keller@example.com"
    assert (me["role"], me["team"]) == ("rep", "DACH")


def test_tokens_are_stored_only_as_hashes(home: Path) -> None:
    r = runner.invoke(cli, ["users", "add", "b@example.com", "--role", "admin"])
    token = r.stdout.strip().splitlines()[-1]
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(get_settings().db_url)  # SQLite here, or the live PostgreSQL
    with engine.connect() as db:
        stored = list(db.execute(text("SELECT token_sha256 FROM api_tokens")).scalars())
        dump = "\n".join(str(row) for table in inspect(engine).get_table_names()
                         for row in db.execute(text(f'SELECT * FROM "{table}"')))
    engine.dispose()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert "b@example.com" in dump and token not in dump  # every table was read


def test_bad_users_fail_with_a_message(home: Path) -> None:
    assert runner.invoke(cli, ["users", "add", "c@example.com", "--role", "csm"]).exit_code == 0
    for args, message in (
        (["users", "add", "c@example.com", "--role", "rep"], "already exists"),
        (["users", "add", "d@example.com", "--role", "boss"], "unknown role"),
        (["users", "add", "not-an-email", "--role", "rep"], "not an email"),
        (["users", "add", "e@example.com", "--role", "rep", "--password", "short"], "8"),
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code == 1, args
        assert message in r.output, r.output


def test_assign_and_list(home: Path) -> None:
    runner.invoke(cli, ["users", "add", "csm@example.com", "--role", "csm", "--team", "A"])
    runner.invoke(cli, ["users", "add", "rep@example.com", "--role", "rep", "--team", "A"])
    store = Store.open(get_settings())
    store.create_deal("acme-1", name="ACME")
    r = runner.invoke(cli, ["users", "assign", "csm@example.com", "acme-1"])
    assert r.exit_code == 0 and "assigned csm@example.com to acme-1" in r.output
    assert runner.invoke(cli, ["users", "assign", "csm@example.com", "acme-1"]).exit_code == 0
    r = runner.invoke(cli, ["users", "assign", "rep@example.com", "acme-1"])
    assert r.exit_code == 1 and "only CSMs" in r.output
    r = runner.invoke(cli, ["users", "assign", "csm@example.com", "no-such-deal"])
    assert r.exit_code == 1 and "not found" in r.output
    listing = runner.invoke(cli, ["users", "list"])
    assert listing.exit_code == 0
    assert "csm@example.com" in listing.output and "rep@example.com" in listing.output


def test_serve_is_a_command_with_host_and_port(home: Path) -> None:
    r = runner.invoke(cli, ["serve", "--help"])
    assert r.exit_code == 0
    assert "--host" in r.output and "--port" in r.output and "127.0.0.1" in r.output
    assert runner.invoke(cli, ["serve", "--port", "0"]).exit_code == 2


def test_secret_key_is_generated_once_and_kept(home: Path) -> None:
    from api.auth import secret_key

    settings = get_settings()
    first = secret_key(settings)
    assert len(first) > 40 and secret_key(settings) == first
    assert oct((home / "secret_key").stat().st_mode)[-3:] == "600"


def test_worker_needs_redis_and_says_so(home: Path) -> None:
    r = runner.invoke(cli, ["worker"])
    assert r.exit_code == 1
    assert "HANDOFF_REDIS_URL" in r.output


def test_jobs_show_and_cancel_from_the_command_line(home: Path) -> None:
    from api.models import JobRow

    store = Store.open(get_settings())
    store.create_deal("acme-1", name="Acme")
    with store.session() as s, s.begin():
        s.add(JobRow(id="j1", deal_id="acme-1", kind="brief", status="queued",
                     created_by="rep@example.com"))
    r = runner.invoke(cli, ["jobs", "cancel", "j1"])
    assert r.exit_code == 0, r.output
    assert '"status": "cancelled"' in r.stdout
    assert '"status": "cancelled"' in runner.invoke(cli, ["jobs", "show", "j1"]).stdout
    missing = runner.invoke(cli, ["jobs", "cancel", "nope"])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_several_processes_on_one_home_get_one_secret_key(home: Path) -> None:
    """Web processes starting together must sign with the same key, or cookies break."""
    import subprocess
    import sys

    code = ("from api.auth import secret_key; from handoff.settings import get_settings; "
            "print(secret_key(get_settings(secret_key=None)))")
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    keys = {p.communicate(timeout=60)[0].strip() for p in procs}
    assert len(keys) == 1 and len(keys.pop()) >= 40
    assert not list(home.glob(".secret_key-*"))  # no temporary files left behind
