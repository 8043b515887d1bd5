"""How a signed-in person is loaded on every request."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery

from .models import KanwilProvince, User


class PortalBackend(ModelBackend):
    """Django's ModelBackend, loading the person with what every page shows of them.

    The navbar names an officer's region or an evaluator's Kanwil, and every time on a page is
    in the zone of that region or of the Kanwil's seat (accounts.days.user_zone): loaded in the
    same query as the user instead of two or three more on each request.
    """

    def get_user(self, user_id):
        seat_zone = (
            KanwilProvince.objects.filter(kanwil=OuterRef("kanwil_id"))
            .order_by("pk")
            .values("province__time_zone")[:1]
        )
        user = (
            User._default_manager.select_related("region", "kanwil")
            .annotate(kanwil_seat_zone=Subquery(seat_zone))
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        if user.kanwil is not None:
            user.kanwil.know_seat_zone(user.kanwil_seat_zone)
        return user
