"""Filters and labels that remember their text give exactly what Flask-Babel gives, in each language."""

from datetime import UTC, datetime, timedelta

from flask import render_template_string
from flask_babel import force_locale, format_datetime

from portal.locale_format import moment
from portal.reports.services import label_of


def test_datetime_filter_shows_the_shenzhen_date_and_time_to_the_minute_in_both_languages(app):
    late_on_new_years_eve_utc = datetime(2026, 12, 31, 17, 59, 59, tzinfo=UTC)  # 01:59:59 on 1 January in Shenzhen
    with app.test_request_context("/"):
        shown = {}
        for locale in ("zh", "en"):
            with force_locale(locale):
                shown[locale] = render_template_string("{{ moment|datetime }}", moment=late_on_new_years_eve_utc)
    assert shown == {"zh": "2027年1月1日 01:59", "en": "Jan 1, 2027, 1:59\u202fAM"}
    with app.test_request_context("/"), force_locale("en"):  # the same text where code writes it (task lines)
        assert moment(late_on_new_years_eve_utc) == shown["en"]


def test_datetime_filter_gives_flask_babels_text_without_seconds_in_both_languages(app):
    """Remembered texts follow the language in force: the cache never answers one language with the other's."""
    instants = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=7 * n, minutes=n, seconds=n) for n in range(40)]
    patterns = {"zh": "y年M月d日 HH:mm", "en": "MMM d, y, h:mm\u202fa"}
    with app.test_request_context("/"):
        for locale in ("zh", "en", "zh"):
            with force_locale(locale):
                for instant in instants:
                    shown = render_template_string("{{ moment|datetime }}", moment=instant)
                    assert shown == format_datetime(instant, patterns[locale])


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
