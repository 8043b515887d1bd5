"""The navbar's bell: the unread count in one query, whatever the number of notices."""

from django import template

from ..models import Notice

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notice_bell(context):
    user = context["request"].user
    count = Notice.objects.visible_to(user).unread().count()
    return {"unread": count}
