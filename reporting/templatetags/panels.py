from django import template

from .. import panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, slot, **values):
    """The panels that other apps added to this place of the page (see reporting.panels)."""
    return registry.render(slot, context.get("request"), **values)
