"""A web process compiles its templates before it serves anyone (ranham_portal.warmup)."""

from pathlib import Path
from unittest import mock

from django.conf import settings
from django.template import engines

from ranham_portal.warmup import warm

JINJA2_DIR = Path(settings.BASE_DIR) / "jinja2"


def test_every_jinja2_template_is_compiled_by_the_warm_up():
    # given: a Jinja2 environment that has compiled nothing yet
    env = engines["jinja2"].env
    env.cache.clear()
    names = sorted(path.relative_to(JINJA2_DIR).as_posix() for path in JINJA2_DIR.rglob("*.html"))
    assert "reporting/_evidence_boxes.html" in names

    # when: the process warms up, then a page asks for each row template
    warm()
    with mock.patch.object(env, "compile", wraps=env.compile) as compile_source:
        for name in names:
            engines["jinja2"].get_template(name)

    # then: none of them is compiled on the page's time
    assert compile_source.call_count == 0
