"""Dependencies point one way, piagam -> evaluation -> reporting -> accounts, also where Python's
imports cannot see them (import-linter holds those): URL names and template tag libraries."""

import re
from pathlib import Path

import pytest
from django.conf import settings

LAYERS = ["accounts", "reporting", "evaluation", "piagam"]
ROOT = Path(settings.BASE_DIR)
URL_NAME = re.compile(r"""["'](accounts|reporting|evaluation|piagam):[\w-]+["']""")
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def layer_of(app):
    return LAYERS.index(app)


def tag_library_apps():
    """{library name: the app that defines it}, as the template engine finds them."""
    from django.template.backends.django import get_installed_libraries

    return {name: path.split(".")[0] for name, path in get_installed_libraries().items()}


def app_files(app, pattern):
    yield from (ROOT / app).rglob(pattern)


def app_templates(app):
    yield from (ROOT / "templates" / app).rglob("*.html")


def offences_in(text, app, libraries):
    found = []
    for match in URL_NAME.finditer(text):
        if layer_of(match.group(1)) > layer_of(app):
            found.append(match.group(0))
    for match in LOAD.finditer(text):
        for name in match.group(1).split():
            owner = libraries.get(name, "")
            if owner in LAYERS and layer_of(owner) > layer_of(app):
                found.append(f"{{% load {name} %}}")
    return found


@pytest.mark.parametrize("app", LAYERS)
def test_no_app_names_the_urls_or_tags_of_an_app_above_it(app):
    libraries = tag_library_apps()
    offences = {}
    sources = [
        *app_templates(app),
        *(p for p in app_files(app, "*.py") if "migrations" not in p.parts),
    ]
    for path in sources:
        found = offences_in(path.read_text(encoding="utf-8"), app, libraries)
        if found:
            offences[str(path.relative_to(ROOT))] = found
    assert offences == {}


def test_the_check_sees_an_offence():
    libraries = {"figures": "evaluation"}

    assert offences_in("{% url 'evaluation:queue' %}", "reporting", libraries) == [
        "'evaluation:queue'"
    ]
    assert offences_in("{% load i18n figures %}", "reporting", libraries) == ["{% load figures %}"]
    assert offences_in("{% url 'reporting:officer-home' %}", "evaluation", libraries) == []
