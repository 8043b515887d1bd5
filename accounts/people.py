"""The officers of a region, managed by an admin or by the Kanwil admin of their Kanwil: new
ones by invitation, deactivation when someone leaves, reactivation, a lifted login lock.

Nobody is ever deleted: reports, events and evidence keep pointing at their author.
Which officers a person may touch is ``User.objects.managed_by(person)``; the views fetch
through it, so another Kanwil's officer is a 404 before any of these runs.
"""

from axes.utils import reset as reset_login_attempts
from django.db import transaction
from django.utils import timezone

from . import invitations
from .models import AuditAction, Role, User
from .services import audit


def username_for(email):
    """A free user name from the e-mail's local part (``budi.santoso``, then ``-2``...)."""
    base = email.split("@", 1)[0].lower()[:140] or "petugas"
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def create_officer(*, name, email, phone, region, by, now=None):
    """A new officer of ``region`` with an unusable password, invited at once. The e-mail
    and number are the ones the inviter gave, unconfirmed: accepting the invitation confirms
    the e-mail, the person confirms the number on their account page."""
    first, _sep, last = name.strip().partition(" ")
    user = User(
        username=username_for(email),
        first_name=first[:150],
        last_name=last[:150],
        email=email,
        phone=phone or "",
        role=Role.OFFICER,
        region=region,
        is_active=True,
    )
    user.set_unusable_password()
    user.save()
    audit(
        AuditAction.OFFICER_CREATED,
        user,
        by=by,
        details={"region": region.code, "email": email, "phone": phone or ""},
    )
    invitations.invite(user, by=by, now=now)
    return user


@transaction.atomic
def deactivate(user, *, by, now=None):
    """The person can no longer log in, every session of theirs ends at its next request
    (the session epoch moves), and open invitations are revoked. Returns False when the
    account was already inactive."""
    now = now or timezone.now()
    # The update moves the epoch with the flag (UserQuerySet.update), as every door does.
    changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    if not changed:
        return False
    for invitation in invitations.pending_of(user, now):
        invitations.revoke(invitation, by=by, now=now)
    user.refresh_from_db(fields=["is_active", "session_epoch"])
    # update() sends no post_save: save() once more so the cached signed-in person moves too.
    user.save(update_fields=["is_active"])
    audit(AuditAction.USER_DEACTIVATED, user, by=by)
    return True


@transaction.atomic
def reactivate(user, *, by):
    """The person may log in again (with the same password; sessions from before stay
    ended). Returns False when the account was already active."""
    changed = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    if not changed:
        return False
    user.refresh_from_db(fields=["is_active"])
    user.save(update_fields=["is_active"])
    audit(AuditAction.USER_REACTIVATED, user, by=by)
    return True


@transaction.atomic
def unlock_login(user, *, by):
    """Lift django-axes' lock on the person's user name (the people pages and the Django
    admin's action both come here). Returns how many failed attempts were cleared."""
    cleared = reset_login_attempts(username=user.get_username())
    audit(AuditAction.LOGIN_UNLOCKED, user, by=by, details={"cleared": cleared})
    return cleared
