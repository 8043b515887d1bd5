"""The Jinja2 environment of the rows that pages repeat many times (``jinja2/``).

Autoescaping is on (Django's Jinja2 backend sets it): every value is escaped unless it is
markup already (Django's safe strings and Jinja2's own both say so with ``__html__``).
Messages are marked ``_("...")`` so that ``makemessages`` finds them, as in Django's
templates, and translated when the row is drawn, in the language of the request.
"""

import functools

from django.template.defaultfilters import date, filesizeformat, floatformat, linebreaksbr
from django.templatetags.l10n import unlocalize
from django.urls import reverse
from django.utils.formats import localize
from django.utils.translation import get_language, gettext, pgettext

from accounts.templatetags.moments import moment, moment_date
from jinja2 import Environment


def environment(**options):
    options.pop("autoescape", None)  # Django's backend asks for it too; here it is never off
    env = Environment(autoescape=True, **options)
    env.globals.update({"_": gettext, "pgettext": pgettext, "url": url})
    # Django's sizes ("1,2 MB" in Indonesian), not Jinja2's.
    env.filters["filesizeformat"] = size_in_language
    env.filters["floatformat"] = floatformat  # Django's: "0,50" in Indonesian
    # Django's, which escapes the text before it writes the <br>s.
    env.filters["linebreaksbr"] = linebreaksbr
    # A number as Django's templates print it ("85,50" in Indonesian), and as it is.
    env.filters["localize"] = localize
    env.filters["unlocalize"] = unlocalize
    env.filters["date"] = date  # Django's formats and month names
    # Times as every page shows them (DESIGN 8): in HTML, inside <time datetime>.
    env.filters["moment"] = moment
    env.filters["moment_date"] = moment_date
    return env


def size_in_language(size):
    """Django's ``filesizeformat`` of ``size``, formatted once per size and language: a page
    lists dozens of files, and each formatting translates and localizes its number."""
    return _size(size, get_language())


@functools.lru_cache(maxsize=4096)
def _size(size, language):
    return filesizeformat(size)


def url(name, *args):
    """``{{ url("app:name", id) }}``: Django's ``reverse``."""
    return reverse(name, args=args)
