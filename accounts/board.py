"""Who can log in, per region: the readiness board of a Kanwil (its own regions) and of the
ministry (all of them), its counts and its export.

A region is *active* when one of its officers has an active account with a usable password,
*invited* when not but an officer holds an invitation neither accepted nor revoked (pending
or expired), and *nobody* otherwise. A person cannot be reached without a confirmed e-mail
and a confirmed WhatsApp number. The state and the counts are computed by the database over
all regions in a fixed number of queries; the officers are read for the rows shown only.
"""

import csv
import datetime
import io
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
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
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cached import bump_after_commit, digest, read_at_version
from .models import Invitation, InvitationStatus, Kanwil, KanwilProvince, Region, Role, User


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


class Line(NamedTuple):
    """One region's summary: enough to count, filter and page without loading the region."""

    pk: int
    state: str
    unreachable: int
    invited_at: datetime.datetime | None


# With a shared cache (CACHE_URL) the lines of a scope are kept there until a user, an
# invitation or a region changes (saves and deletions move the version after commit), and
# at most CACHE_SECONDS: invitations ended by an update() send no signal.
VERSION_KEY = "readiness-board-version"
CACHE_SECONDS = 60


def scope_of(user):
    return "all" if user.is_portal_admin else f"kanwil-{user.kanwil_id}"


def summary(user, *, province=None, kanwil=None, state=None):
    """([Line] of the places chosen, those of them in ``state``), in code order: one query
    over all the regions the person sees, or none when the shared cache has it."""

    def read():
        return [
            Line(*values)
            for values in board_regions(user, province=province, kanwil=kanwil).values_list(
                "pk", "board_state", "unreachable", "invited_at"
            )
        ]

    if settings.CACHE_URL:
        key = digest("readiness-board", scope_of(user), province, kanwil)
        lines = read_at_version(VERSION_KEY, key, read, CACHE_SECONDS)
    else:
        lines = read()
    return lines, [line for line in lines if not state or line.state == state]


def board_changed(sender, **kwargs):
    bump_after_commit(VERSION_KEY)


def connect():
    for model in (User, Invitation, Region, Kanwil, KanwilProvince):
        uid = f"readiness-board-{model._meta.label_lower}"
        post_save.connect(board_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(board_changed, sender=model, dispatch_uid=f"{uid}-delete")


def counts(lines):
    """{state: number of regions, "unreachable": number of people, "total": regions}."""
    found = {"total": 0, "active": 0, "invited": 0, "nobody": 0, "unreachable": 0}
    keys = {State.ACTIVE: "active", State.INVITED: "invited", State.NOBODY: "nobody"}
    for line in lines:
        found["total"] += 1
        found[keys[line.state]] += 1
        found["unreachable"] += line.unreachable
    return found


def regions_of(lines):
    """The regions of ``lines``, in their order, with the line's figures on them."""
    found = Region.objects.select_related("province__kanwil_link__kanwil").in_bulk(
        [line.pk for line in lines]
    )
    regions = []
    for line in lines:
        region = found[line.pk]
        region.board_state, region.unreachable, region.invited_at = line[1:]
        regions.append(region)
    return regions


def officers_by_region(regions, now=None):
    """{region id: [officer]} for the given regions; each officer carries ``board_status``
    and ``reachable`` for the row. Two queries: the officers, and their invitations."""
    now = now or timezone.now()
    officers = list(
        User.objects.filter(role=Role.OFFICER, region__in=[r.pk for r in regions]).order_by(
            "region_id", "-is_active", "last_name", "first_name", "username"
        )
    )
    latest = {}
    for invitation in Invitation.objects.filter(user__in=[o.pk for o in officers]).order_by(
        "created_at", "pk"
    ):
        latest[invitation.user_id] = invitation
    grouped = defaultdict(list)
    for officer in officers:
        officer.board_status = status_of(officer, latest.get(officer.pk), now)
        officer.status_label, officer.status_style = OFFICER_STATUS[officer.board_status]
        officer.reachable = bool(officer.email_confirmed_at or officer.phone_confirmed_at)
        grouped[officer.region_id].append(officer)
    return grouped


def status_of(officer, invitation, now):
    """What the board says of one officer: active, inactive, invited (pending/expired), or
    not invited yet (``invitation``: the latest one, or None)."""
    if not officer.is_active:
        return "inactive"
    if officer.has_usable_password():
        return "active"
    status = invitation.status_at(now) if invitation is not None else None
    if status == InvitationStatus.PENDING:
        return "pending"
    if status == InvitationStatus.EXPIRED:
        return "expired"
    return "not_invited"


OFFICER_STATUS = {
    "active": (gettext_lazy("aktif"), "text-bg-success"),
    "inactive": (gettext_lazy("nonaktif"), "text-bg-secondary"),
    "pending": (gettext_lazy("undangan terkirim"), "text-bg-warning"),
    "expired": (gettext_lazy("undangan kedaluwarsa"), "text-bg-danger"),
    "not_invited": (gettext_lazy("belum diundang"), "text-bg-light"),
}

# What a manager may do to an officer in each status: (URL name, label, button style).
ACTIONS = {
    "resend": ("accounts:officer-resend", gettext_lazy("Undang ulang"), "btn-outline-primary"),
    "deactivate": (
        "accounts:officer-deactivate",
        gettext_lazy("Nonaktifkan"),
        "btn-outline-danger",
    ),
    "unlock": ("accounts:officer-unlock", gettext_lazy("Buka kunci"), "btn-outline-secondary"),
    "reactivate": (
        "accounts:officer-reactivate",
        gettext_lazy("Aktifkan kembali"),
        "btn-outline-success",
    ),
}


def actions_of(officer):
    if not officer.is_active:
        return ["reactivate"]
    if officer.board_status == "active":
        return ["deactivate", "unlock"]
    return ["resend", "deactivate", "unlock"]


def add_actions(rows_found, back):
    """Each officer's buttons for a manager: every URL from one reversal per action (a page
    holds a hundred officers), with the board's address to come back to."""
    from urllib.parse import quote

    from django.urls import reverse

    patterns = {
        key: (reverse(name, args=[0]).replace("/0/", "/{}/"), label, style)
        for key, (name, label, style) in ACTIONS.items()
    }
    suffix = "?kembali=" + quote(back, safe="")
    for _region, officers in rows_found:
        for officer in officers:
            officer.actions = [
                (patterns[key][0].format(officer.pk) + suffix, *patterns[key][1:])
                for key in actions_of(officer)
            ]
    return rows_found


def days_since(moment, region, now=None):
    """Whole days from ``moment`` to today, both in the region's own zone."""
    if moment is None:
        return None
    now = now or timezone.now()
    return (region.today(now) - timezone.localtime(moment, region.zone).date()).days


def rows(lines, now=None):
    """(region, officers) of summary lines, with ``days_invited`` on the region, for a page
    or an export."""
    now = now or timezone.now()
    regions = regions_of(lines)
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


def resendable(user, region_ids):
    """The officers whose invitation a person may send again in these regions: active,
    without a password, whose latest invitation is open (pending or expired)."""
    return (
        User.objects.managed_by(user)
        .filter(region__in=region_ids, is_active=True, password__startswith="!")
        .filter(Exists(open_invitations().filter(user=OuterRef("pk"))))
    )


def _kept(user, name, read):
    if not settings.CACHE_URL:
        return read()
    return read_at_version(VERSION_KEY, digest(name, scope_of(user)), read, CACHE_SECONDS)


def kanwil_choices(user):
    return _kept(
        user,
        "readiness-board-kanwil",
        lambda: list(Kanwil.objects.visible_to(user).values_list("pk", "name")),
    )


def province_choices(user):
    """The provinces whose regions the person sees (a province is its own province)."""
    visible = Region.objects.visible_to(user)
    return _kept(
        user,
        "readiness-board-provinces",
        lambda: list(
            Region.objects.provinces()
            .filter(pk__in=visible.values("province_id"))
            .order_by("code")
            .values_list("pk", "name")
        ),
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


def export_lines(lines, now=None):
    for region, officers in rows(lines, now):
        yield [
            region.code,
            region.name,
            region.kanwil_name,
            str(region.state_label),
            "" if region.days_invited is None else region.days_invited,
            sum(1 for o in officers if o.board_status == "active"),
            region.unreachable,
            "; ".join(f"{o.shown_name} ({o.email or '-'}, {o.phone or '-'})" for o in officers),
        ]


def _safe(value):
    # A cell starting with = + - @ would be a formula to a spreadsheet program.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(lines, now=None):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(export_header())
    for line in export_lines(lines, now):
        writer.writerow([_safe(value) for value in line])
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(lines, now=None):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Kesiapan")[:31])
    sheet.append([str(h) for h in export_header()])
    for line in export_lines(lines, now):
        sheet.append([_safe(value) for value in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
