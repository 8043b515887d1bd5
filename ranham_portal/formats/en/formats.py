"""Django's English formats, with the zone's abbreviation after every time (the Django admin
prints datetimes with these; the portal's pages use the ``moment`` filter)."""

from django.conf.locale.en.formats import *  # noqa: F403

DATETIME_FORMAT = "N j, Y, H.i T"
SHORT_DATETIME_FORMAT = "m/d/Y H.i T"
