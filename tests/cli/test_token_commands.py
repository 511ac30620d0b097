"""`bilan token create --expires-in` (a scope in the registry only), `bilan token list` and
`bilan token revoke ID`, and a revoked token refused at once by both services."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from cli.main import main
from services.ingest import create_app as ingest_app
from services.web import create_app as web_app
from tests.support.events import event


def run(*args: str) -> str:
    done = CliRunner().invoke(main, list(args))
    assert done.exit_code == 0, done.output
    return done.output


def test_create_list_and_revoke(env: dict[str, str], registry: Any) -> None:
    secret = run("token", "create", "--role", "source").strip().splitlines()[-1]
    run("token", "create", "--role", "validator", "--region", "11", "--expires-in", "30d")
    listing = run("token", "list").splitlines()
    assert listing[0] == "id\trole\tscope\tcreated\tlast_used\texpires\trevoked"
    source, validator = (line.split("\t") for line in listing[1:])
    assert source[:3] == ["1", "source", "all"] and source[4:] == ["-", "-", "-"]
    assert validator[:3] == ["2", "validator", "region 11"] and validator[5] != "-"
    assert secret not in "\n".join(listing)

    ingest, web = ingest_app({"NOTIFY": False}).test_client(), web_app().test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert ingest.post("/v1/events", json=[event("e1")], headers=headers).status_code == 202
    used = run("token", "list").splitlines()[1].split("\t")
    assert used[4] != "-"  # last used

    assert run("token", "revoke", "1").strip() == "token 1 revoked"
    assert ingest.post("/v1/events", json=[event("e2")], headers=headers).status_code == 401
    admin_only = web.post("/v1/consolidations", json={"year": 2007}, headers=headers)
    assert admin_only.status_code == 401
    assert run("token", "list").splitlines()[1].split("\t")[6] != "-"


def test_bad_arguments(env: dict[str, str], registry: Any) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["token", "revoke", "42"]).exit_code == 1
    for lifetime in ("0d", "12", "1w", "-1h", "\u0661h"):
        done = runner.invoke(main, ["token", "create", "--role", "admin", "--expires-in", lifetime])
        assert done.exit_code == 2, lifetime


def test_a_scope_outside_the_registry_is_refused(env: dict[str, str], registry: Any) -> None:
    runner = CliRunner()
    for scope in (["--role", "structure", "--structure", "ML-99-001"],
                  ["--role", "source", "--structure", "ML-11-001", "--structure", "X"],
                  ["--role", "validator", "--region", "99"]):  # fmt: skip
        done = runner.invoke(main, ["token", "create", *scope])
        assert done.exit_code == 1, done.output
        assert done.output.count("\n") == 1 and "not in the registry" in done.output
    assert run("token", "list").splitlines()[1:] == []
