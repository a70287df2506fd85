"""Filters and labels that remember their text give exactly what Flask-Babel gives, in each language."""

from datetime import UTC, datetime, timedelta

from flask import render_template_string
from flask_babel import force_locale, format_datetime

from portal.reports.services import label_of


def test_datetime_filter_gives_flask_babels_text_in_both_languages(app):
    moments = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n, minutes=n) for n in range(40)]
    with app.test_request_context("/"):
        for locale in ("zh", "en", "zh"):
            with force_locale(locale):
                for moment in moments:
                    shown = render_template_string("{{ moment|datetime }}", moment=moment)
                    assert shown == format_datetime(moment, "medium")


def test_field_labels_follow_the_language_in_force(app):
    with app.test_request_context("/"):
        with force_locale("en"):
            english = label_of("energy.electricity")
        with force_locale("zh"):
            chinese = label_of("energy.electricity")
        with force_locale("en"):
            assert label_of("energy.electricity") == english
    assert english == "Energy › Electricity consumed"
    assert chinese != english
