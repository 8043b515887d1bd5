"""The moment filter: the same text as always, inside <time datetime> in HTML, bare in mail."""

import datetime

from django.template import Context, Template

MOMENT = datetime.datetime(2026, 11, 29, 20, 0, tzinfo=datetime.UTC)


def render(source, **context):
    return Template("{% load moments %}" + source).render(Context(context))


def test_in_html_the_text_is_wrapped_in_a_machine_readable_time():
    html = render("{{ value|moment:'Asia/Makassar' }}", value=MOMENT)

    assert html == (
        '<time datetime="2026-11-30T04:00+08:00">Senin, 30 November 2026 pukul 04.00 WITA</time>'
    )


def test_with_autoescape_off_as_in_mail_the_text_stays_plain():
    text = render(
        "{% autoescape off %}{{ value|moment:zone }}{% endautoescape %}",
        value=MOMENT,
        zone="Asia/Jayapura",
    )

    assert text == "Senin, 30 November 2026 pukul 05.00 WIT"


def test_the_text_is_escaped_inside_the_element(monkeypatch):
    # given a zone whose name would be markup
    monkeypatch.setattr("accounts.templatetags.moments.zone_abbreviation", lambda zone: "<b>X</b>")

    html = render("{{ value|moment:'Asia/Jakarta' }}", value=MOMENT)

    assert html.startswith('<time datetime="2026-11-30T03:00+07:00">')
    assert "&lt;b&gt;X&lt;/b&gt;</time>" in html
    assert render("{{ value|moment:'Asia/Jakarta' }}", value=None) == ""
