"""Every request commits once, after its view: kept on success or redirect, rolled back on an error answer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import abort, redirect

from coordination.errors import Conflict
from coordination.extensions import db
from tests.conftest import make_test_app

PACKAGE = Path(__file__).resolve().parent.parent / "coordination"
#: the places that commit: the request's one commit, the CLI commands and the mail, webhook and export jobs
#: (each its own commits; an export commits its progress as it goes, for the page that polls it), the API
#: token's last-use stamp (before the request's work), and a refused login or second factor that must be
#: counted although the answer is an error
MAY_COMMIT = {
    "transaction.py",
    "auth/cli.py",
    "demo/cli.py",
    "reminders/cli.py",
    "reports/cli.py",
    "onboarding/cli.py",
    "workdays/cli.py",
    "reminders/mail.py",
    "webhooks/operations.py",
    "jobs/cli.py",
    "jobs/operations.py",
    "auth/tokens.py",
    "auth/api.py",
    "auth/views.py",
    "admin/two_factor.py",
}


def test_views_do_not_commit_themselves() -> None:
    committing = set()
    for source in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit":
                committing.add(str(source.relative_to(PACKAGE)))
    assert committing == MAY_COMMIT


@pytest.fixture(scope="module")
def probe_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("transaction")
    app = make_test_app(str(tmp), f"sqlite:///{tmp}/probe.db")

    def write(value: str) -> None:
        db.session.execute(sa.text("INSERT INTO probe (value) VALUES (:v)"), {"v": value})

    @app.post("/probe/<answer>")
    def probe(answer: str):  # type: ignore[no-untyped-def]
        write(answer)
        if answer == "ok":
            return "written", 201
        if answer == "redirect":
            return redirect("/")
        if answer == "refused":
            return "refused", 422
        if answer == "conflict":
            raise Conflict("no")
        abort(403)

    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE probe (value VARCHAR(20))"))
        db.session.commit()
    return app


@pytest.mark.parametrize(
    ("answer", "status", "kept"),
    [
        ("ok", 201, True),
        ("redirect", 302, True),
        ("refused", 422, False),
        ("conflict", 409, False),
        ("403", 403, False),
    ],
)
def test_the_request_keeps_its_writes_only_when_it_succeeds(probe_app, answer: str, status: int, kept: bool) -> None:
    assert probe_app.test_client().post(f"/probe/{answer}").status_code == status
    with probe_app.app_context():
        rows = db.session.scalars(sa.text("SELECT value FROM probe WHERE value = :v"), {"v": answer}).all()
    assert rows == ([answer] if kept else [])
