"""The navbar's bell: the unread count, from the cache or in one query."""

from django import template

from ..services import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notice_bell(context):
    return {"unread": unread_count(context["request"].user)}
