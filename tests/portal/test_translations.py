"""Chinese is the default language: every string the templates and code mark for translation has a Chinese
translation with the same placeholders, and the compiled catalogue is what the app serves."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def _extracted() -> dict[str, str]:
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    messages = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "_l": None,
                                                       "lazy_gettext": None, "ngettext": (1, 2)}):
        msgid = message[0] if isinstance(message, tuple) else message  # ngettext: the catalogue's key
        if msgid:
            messages[msgid] = filename
    return messages


def _catalogue():
    with open(ROOT / "portal/translations/zh/LC_MESSAGES/messages.po", "rb") as f:
        return read_po(f)


def test_every_marked_string_has_a_chinese_translation():
    catalogue = _catalogue()
    missing = []
    for msgid, filename in sorted(_extracted().items()):
        message = catalogue.get(msgid)
        forms = message.string if message is not None and isinstance(message.string, tuple) else (
            message.string if message is not None else None,)
        if message is None or not all(forms) or message.fuzzy:
            missing.append(f"{filename}: {msgid!r}")
    assert missing == [], "untranslated (run pybabel extract/update, then translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    def forms(text) -> tuple:  # ngettext entries have a tuple of forms
        return text if isinstance(text, tuple) else (text,)

    wrong = [m.id for m in _catalogue() if m.id and all(forms(m.string)) and any(
        sorted(set(PLACEHOLDER.findall(form))) != sorted(set(PLACEHOLDER.findall(forms(m.id)[-1])))
        for form in forms(m.string))]
    assert wrong == []


def test_pages_are_chinese_by_default_and_english_on_request(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-Hans"' in html and "登录" in html
    client.post("/language", data={"locale": "en", "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in html and "Sign in" in html


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_error_pages_exist_in_both_languages(app, code):
    from flask_babel import force_locale
    from werkzeug.exceptions import HTTPException

    from portal.errors import ERROR_TEXTS, render_error

    error = HTTPException()
    error.code = code
    pages = {}
    for locale in ("zh", "en"):
        with app.test_request_context("/somewhere"), force_locale(locale):
            html, status = render_error(error)
            pages[locale] = html
            assert status == code
    english_title = str(ERROR_TEXTS[code][0]._args[0])
    assert english_title in pages["en"]
    assert english_title not in pages["zh"]


def test_a_request_too_large_gets_the_413_page(app):
    from tests.conftest import make_app

    small = make_app(MAX_CONTENT_LENGTH=1024)
    response = small.test_client().post("/login", data={"email": "a@example.com", "password": "x" * 5000})
    assert response.status_code == 413
    assert "MB" in response.get_data(as_text=True)


def test_the_language_choice_is_remembered_for_the_account(app, make):
    from tests.conftest import login

    user = make.user(make.org())
    first = app.test_client()
    login(first, user)
    first.post("/language", data={"locale": "en", "next": "/dashboard"})
    second = app.test_client()
    login(second, user)
    assert '<html lang="en"' in second.get("/dashboard").get_data(as_text=True)
