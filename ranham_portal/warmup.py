"""What a web process loads once, before it serves anyone.

Without it the first requests of every new gunicorn worker (one starts each time another is
recycled after ``max_requests``) pay for compiling templates, reading the translation
catalogues and building the URL resolver: about a second spread over a user's page views.
With ``preload_app`` (gunicorn.conf.py) the master does this once and every worker it forks
starts with it done.
"""

import logging
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.backends.jinja2 import Jinja2
from django.urls import get_resolver
from django.utils import translation

log = logging.getLogger(__name__)

TEMPLATE_SUFFIXES = (".html", ".txt")


def template_names():
    """Every template the Django engine can find: the project's and the installed apps'."""
    names = set()
    for directory in engines["django"].template_dirs:
        root = Path(directory)
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix in TEMPLATE_SUFFIXES and path.is_file():
                names.add(path.relative_to(root).as_posix())
    return sorted(names)


def jinja2_template_names(engine):
    """Every template a Jinja2 engine's loader can find (``jinja2/``: the repeated rows)."""
    extensions = [suffix.lstrip(".") for suffix in TEMPLATE_SUFFIXES]
    return sorted(engine.env.list_templates(extensions=extensions))


def _compile(engine, names):
    compiled = 0
    for name in names:
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):
            # A fragment that only compiles inside its parent, or one shadowed by another
            # app's: it is compiled when a page first uses it, as without the warm-up.
            continue
        compiled += 1
    return compiled


def warm():
    """Compile every template of both engines, load every language's catalogue and the URL
    patterns."""
    started = time.perf_counter()
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    compiled = _compile(engines["django"], template_names())
    for engine in engines.all():
        if isinstance(engine, Jinja2):
            compiled += _compile(engine, jinja2_template_names(engine))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Masuk")
    if not settings.DEBUG:
        staticfiles_storage.url("css/portal.css")  # reads the manifest of hashed names
    log.info("warm-up: %d templates compiled in %.2f s", compiled, time.perf_counter() - started)
