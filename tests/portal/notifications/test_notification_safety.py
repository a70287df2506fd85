"""What could go wrong with notifications: forged hosts in e-mail links, line breaks in subjects, a failing message,
parameter names, markup in parameters, and a workflow step whose kind has no message."""

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

import portal
from portal import mail
from portal.extensions import db
from portal.notifications import notify
from portal.notifications.kinds import MESSAGES
from portal.notifications.models import Notification
from tests.conftest import PASSWORD, login


@pytest.fixture
def admin(make):
    return make.user(make.org("supplier"), locale="en")


def test_email_links_use_the_portal_address_even_when_a_request_names_another_host(app, make, outbox,
                                                                                   monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_BASE_URL", "https://portal.example.cn")
    org = make.org(name_zh="已注册企业")
    make.user(org, email="orgadmin@example.com")
    # The public registration form mails the organisation's admins; ProxyFix trusts X-Forwarded-Host.
    asked = app.test_client().post("/register", headers={"X-Forwarded-Host": "evil.example.com"}, data={
        "credit_code": org.credit_code, "name_zh": "深圳市新注册科技有限公司", "district": "440306",
        "person_name": "注册人", "email": "newcomer@example.com", "password": PASSWORD,
        "join": "y"})
    assert asked.status_code == 302, asked.get_data(as_text=True)[:300]
    [(to, _subject, body)] = outbox()
    assert to == "orgadmin@example.com"
    assert f"https://portal.example.cn/organisations/{org.id}/members" in body and "evil.example.com" not in body


def test_a_subject_made_from_typed_text_is_one_line_and_is_delivered(app, admin, outbox):
    with app.test_request_context():
        notify([admin], "funding.status", link="/funding", mail_template="notification", ref="ZX\r1\nBcc: x@y.z",
               status="returned")
        db.session.commit()
    [(to, subject, body)] = outbox()
    assert (to, subject) == (admin.email, "Funding application ZX 1 Bcc: x@y.z is now: Returned.")
    assert "Bcc" not in body


def test_one_message_that_cannot_be_delivered_does_not_drop_the_others(app, make, outbox, monkeypatch):
    first, second = make.user(make.org("supplier")), make.user(make.org("supplier"))
    deliver = mail.deliver

    def failing_for_the_first(app_, message):
        if message.to == first.email:
            raise ValueError("a broken message")
        deliver(app_, message)

    monkeypatch.setattr(mail, "deliver", failing_for_the_first)
    with app.test_request_context():
        notify([first, second], "funding.status", link="/funding", mail_template="notification", ref="ZX-1",
               status="returned")
        db.session.commit()
    assert [to for to, _subject, _body in outbox()] == [second.email]


def test_parameters_may_use_any_name(app, admin, outbox):
    with app.test_request_context():
        notify([admin], "funding.status", link="/funding", mail_template="notification", ref="ZX-1",
               status="returned", to="someone@else.example", template="x", session="y", locale="z", kind="w")
        db.session.commit()
    assert [to for to, _subject, _body in outbox()] == [admin.email]


def test_markup_in_a_parameter_is_shown_as_text_on_the_list(app, admin, client):
    with app.test_request_context():
        notify([admin], "funding.status", link="/funding", ref="<script>alert(1)</script>", status="returned")
        db.session.commit()
    login(client, admin)
    page = client.get("/notifications").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert db.session.scalars(select(Notification.kind)).all() == ["funding.status"]


def _workflow_actions(module: str) -> set[str]:
    import importlib

    return set(importlib.import_module(module).WORKFLOW.transitions)


# Kinds built from a workflow action or outcome: (prefix, the values the call site can put after it).
FAMILIES = {
    "plan.": lambda: _workflow_actions("portal.plans.workflow"),
    "guidance.": lambda: _workflow_actions("portal.capacity.workflow"),
    "report.": lambda: {"returned", "accepted"},  # reports.services._decide: f"report.{decision}"
}


def _calls(tree, name: str):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == name]


def _kinds_of(expression, function, tree):
    """The kinds an expression can be: a text, (prefix,) for an f-string, None if unreadable. A name that is a
    parameter of the enclosing function is followed to that function's calls in the same module."""
    if isinstance(expression, ast.IfExp):
        return [*_kinds_of(expression.body, function, tree), *_kinds_of(expression.orelse, function, tree)]
    if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
        return [expression.value]
    if isinstance(expression, ast.JoinedStr) and isinstance(expression.values[0], ast.Constant):
        return [(expression.values[0].value,)]
    parameters = [a.arg for a in function.args.args] if function is not None else []
    if isinstance(expression, ast.Name) and expression.id in parameters:
        position, found = parameters.index(expression.id), []
        for call in _calls(tree, function.name):
            given = next((k.value for k in call.keywords if k.arg == expression.id), None)
            if given is None and position < len(call.args):
                given = call.args[position]
            found += _kinds_of(given, None, tree) if given is not None else [None]
        return found or [None]
    return [None]


def _kinds_at_call_sites():
    """(file:line, kind or (prefix,) or None) for every notify() call in the portal, reminders aside (their kinds
    are the reminder.* messages, sent by tests/portal/notifications/test_reminders.py)."""
    root = Path(portal.__file__).parent
    for path in sorted(root.rglob("*.py")):
        if path.name == "reminders.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for call in _calls(tree, "notify"):
            if len(call.args) < 2:
                continue
            function = min((f for f in functions if f.lineno <= call.lineno <= f.end_lineno),
                           key=lambda f: f.end_lineno - f.lineno, default=None)
            for kind in _kinds_of(call.args[1], function, tree):
                yield f"{path.relative_to(root.parent)}:{call.lineno}", kind


def test_every_kind_a_workflow_step_can_notify_has_a_message():
    """notify() raises KeyError for a kind without a message, inside the step's transaction: check them all."""
    missing, seen = [], 0
    for where, kind in _kinds_at_call_sites():
        seen += 1
        if isinstance(kind, tuple):
            family = FAMILIES.get(kind[0])
            if family is None:
                missing.append(f"{where}: kinds {kind[0]}…: add the family to FAMILIES")
                continue
            missing += [f"{where}: {kind[0]}{value}" for value in sorted(family()) if f"{kind[0]}{value}" not in
                        MESSAGES]
        elif kind is None:
            missing.append(f"{where}: a kind this test cannot read")
        elif kind not in MESSAGES:
            missing.append(f"{where}: {kind}")
    assert seen > 15 and missing == []
