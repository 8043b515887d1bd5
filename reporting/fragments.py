"""Macros of the Jinja2 templates in ``jinja2/`` (see ranham_portal.jinja2): template tags
call them for the rows a page repeats many times. A macro's result is markup that Jinja2
escaped as it drew it, which Django's templates then print as it is."""

from django.template import engines


def macro(template_name, name):
    """The macro ``name`` of the Jinja2 template ``template_name``."""
    return getattr(engines["jinja2"].env.get_template(template_name).module, name)
