"""Which roles may open a view, stated on the view itself: ``@role_required(OFFICER)``."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .models import Role

OFFICER = Role.OFFICER
EVALUATOR = Role.EVALUATOR
ADMIN = Role.ADMIN


def has_role(user, roles):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if ADMIN in roles and user.is_portal_admin:
        return True
    return user.role in roles and (
        (user.role != OFFICER or user.region_id) and (user.role != EVALUATOR or user.kanwil_id)
    )


def role_required(*roles):
    """Log in first (anonymous visitors go to the login page); a signed-in user without one
    of the roles gets 403. Which objects a permitted user may reach is the queryset's business
    (``visible_to``), not this decorator's."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)
        return login_required(wrapped)

    return decorator
