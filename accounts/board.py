"""Who can log in, per region: the readiness board of a Kanwil (its own regions) and of the
ministry (all of them), its counts and its export.

A region is *active* when one of its officers has an active account with a usable password,
*invited* when not but an officer holds an invitation neither accepted nor revoked (pending
or expired), and *nobody* otherwise. A person cannot be reached without a confirmed e-mail
and a confirmed WhatsApp number. The state and the counts are computed by the database over
all regions in a fixed number of queries; the officers are read for the rows shown only.
"""

import csv
import io
from collections import defaultdict

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Invitation, InvitationStatus, Kanwil, Region, Role, User


class State:
    ACTIVE = "aktif"
    INVITED = "diundang"
    NOBODY = "kosong"
    CHOICES = [
        (ACTIVE, gettext_lazy("Ada petugas aktif")),
        (INVITED, gettext_lazy("Diundang, belum aktif")),
        (NOBODY, gettext_lazy("Belum ada petugas")),
    ]
    LABELS = dict(CHOICES)


def _officers_of_region():
    return User.objects.filter(role=Role.OFFICER, region=OuterRef("pk"))


def open_invitations():
    """Each active officer's latest invitation when it is neither accepted nor revoked
    (pending or expired): what the board calls invited, and what a re-send renews."""
    newer = Invitation.objects.filter(user=OuterRef("user"), created_at__gt=OuterRef("created_at"))
    return Invitation.objects.filter(
        user__role=Role.OFFICER,
        user__is_active=True,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).exclude(Exists(newer))


def annotated(regions):
    """``regions`` with ``board_state``, ``invited_at`` (the latest open invitation, for
    regions without an active officer) and ``unreachable`` (active officers without any
    confirmed contact)."""
    active = Exists(_officers_of_region().filter(is_active=True).usable_password())
    latest = (
        open_invitations()
        .filter(user__region=OuterRef("pk"), user__password__startswith="!")
        .order_by("-created_at")
    )
    unreachable = (
        _officers_of_region()
        .filter(is_active=True, email_confirmed_at__isnull=True, phone_confirmed_at__isnull=True)
        .order_by()
        .values("region")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return regions.annotate(
        has_active=active,
        invited_at=Subquery(latest.values("created_at")[:1]),
        invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        unreachable=Coalesce(Subquery(unreachable, output_field=IntegerField()), Value(0)),
    ).annotate(
        board_state=Case(
            When(has_active=True, then=Value(State.ACTIVE)),
            When(invited_at__isnull=False, then=Value(State.INVITED)),
            default=Value(State.NOBODY),
            output_field=CharField(),
        )
    )


def board_regions(user, *, province=None, kanwil=None, state=None):
    """The regions the person may see, annotated and filtered, in code order."""
    regions = annotated(Region.objects.visible_to(user))
    if province:
        regions = regions.filter(province_id=province)
    if kanwil:
        regions = regions.filter(province__kanwil_link__kanwil_id=kanwil)
    if state in State.LABELS:
        regions = regions.filter(board_state=state)
    return regions.order_by("code")


def counts(regions):
    """{state: number of regions, "unreachable": number of people, "total": regions}, from
    one row per region (two small columns: cheaper to count here than to have the database
    aggregate over the subqueries again)."""
    found = {"total": 0, "active": 0, "invited": 0, "nobody": 0, "unreachable": 0}
    keys = {State.ACTIVE: "active", State.INVITED: "invited", State.NOBODY: "nobody"}
    for state, unreachable in regions.order_by().values_list("board_state", "unreachable"):
        found["total"] += 1
        found[keys[state]] += 1
        found["unreachable"] += unreachable
    return found


def with_places(regions):
    return regions.select_related("province__kanwil_link__kanwil")


def officers_by_region(regions, now=None):
    """{region id: [officer]} for the given regions in one query; each officer carries
    ``latest_invitation`` (or None) and ``board_status`` for the row."""
    now = now or timezone.now()
    latest = Invitation.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-pk")
    officers = (
        User.objects.filter(role=Role.OFFICER, region__in=[r.pk for r in regions])
        .annotate(
            invitation_created_at=Subquery(latest.values("created_at")[:1]),
            invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
            invitation_accepted_at=Subquery(latest.values("accepted_at")[:1]),
            invitation_revoked_at=Subquery(latest.values("revoked_at")[:1]),
        )
        .order_by("region_id", "-is_active", "last_name", "first_name", "username")
    )
    grouped = defaultdict(list)
    for officer in officers:
        officer.board_status = status_of(officer, now)
        officer.reachable = bool(officer.email_confirmed_at or officer.phone_confirmed_at)
        grouped[officer.region_id].append(officer)
    return grouped


def status_of(officer, now):
    """What the board says of one officer: active, inactive, invited (pending/expired), or
    not invited yet."""
    if not officer.is_active:
        return "inactive"
    if officer.has_usable_password():
        return "active"
    if officer.invitation_created_at is None:
        return "not_invited"
    invitation = Invitation(
        created_at=officer.invitation_created_at,
        expires_at=officer.invitation_expires_at,
        accepted_at=officer.invitation_accepted_at,
        revoked_at=officer.invitation_revoked_at,
    )
    status = invitation.status_at(now)
    if status == InvitationStatus.PENDING:
        return "pending"
    if status == InvitationStatus.EXPIRED:
        return "expired"
    return "not_invited"


def days_since(moment, region, now=None):
    """Whole days from ``moment`` to today, both in the region's own zone."""
    if moment is None:
        return None
    now = now or timezone.now()
    return (region.today(now) - timezone.localtime(moment, region.zone).date()).days


def rows(regions, now=None):
    """(region, officers) with ``days_invited`` on the region, for a page or an export."""
    now = now or timezone.now()
    regions = list(regions)
    officers = officers_by_region(regions, now)
    for region in regions:
        region.days_invited = (
            days_since(region.invited_at, region, now)
            if region.board_state == State.INVITED
            else None
        )
        region.state_label = State.LABELS[region.board_state]
        region.kanwil_name = _kanwil_name(region)
        yield region, officers.get(region.pk, [])


def _kanwil_name(region):
    link = getattr(region.province, "kanwil_link", None) if region.province_id else None
    return link.kanwil.name if link is not None else ""


def resendable(user, regions):
    """The officers whose invitation a person may send again in these regions: active,
    without a password, whose latest invitation is open (pending or expired)."""
    return (
        User.objects.managed_by(user)
        .filter(region__in=regions.values("pk"), is_active=True, password__startswith="!")
        .filter(Exists(open_invitations().filter(user=OuterRef("pk"))))
    )


def kanwil_choices(user):
    return list(Kanwil.objects.visible_to(user).values_list("pk", "name"))


def province_choices(user):
    """The provinces whose regions the person sees (a province is its own province)."""
    visible = Region.objects.visible_to(user)
    return list(
        Region.objects.provinces()
        .filter(pk__in=visible.values("province_id"))
        .order_by("code")
        .values_list("pk", "name")
    )


# The export: one line per region.
def export_header():
    return [
        _("Kode"),
        _("Wilayah"),
        _("Kanwil"),
        _("Status"),
        _("Hari sejak undangan"),
        _("Petugas aktif"),
        _("Petugas tak terjangkau"),
        _("Petugas"),
    ]


def export_lines(regions, now=None):
    for region, officers in rows(with_places(regions), now):
        yield [
            region.code,
            region.name,
            region.kanwil_name,
            str(region.state_label),
            "" if region.days_invited is None else region.days_invited,
            sum(1 for o in officers if o.board_status == "active"),
            region.unreachable,
            "; ".join(
                f"{o.get_full_name() or o.username} ({o.email or '-'}, {o.phone or '-'})"
                for o in officers
            ),
        ]


def _safe(value):
    # A cell starting with = + - @ would be a formula to a spreadsheet program.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(regions, now=None):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header())
    for line in export_lines(regions, now):
        writer.writerow([_safe(value) for value in line])
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(regions, now=None):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Kesiapan")[:31])
    sheet.append([str(h) for h in export_header()])
    for line in export_lines(regions, now):
        sheet.append([_safe(value) for value in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
