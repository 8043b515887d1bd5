"""Django's Indonesian formats, with the zone's abbreviation after every time (the Django
admin prints datetimes with these; the portal's pages use the ``moment`` filter)."""

from django.conf.locale.id.formats import *  # noqa: F403

DATETIME_FORMAT = "j N Y, H.i T"
SHORT_DATETIME_FORMAT = "d-m-Y H.i T"
