"""The admin's accounts import: upload, preview, commit; re-send and revoke invitations.

Kept apart from ``views.py`` (the account's own pages): these are the pages that start a round.
"""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from . import imports, invitations
from .access import ADMIN, role_required
from .forms import AccountImportForm
from .middleware import check_form_fields
from .models import (
    AccountImport,
    AccountImportStatus,
    Invitation,
    InvitationStatus,
    Kanwil,
    Region,
    Role,
    User,
)

PAGE_SIZE = 100
TABS = ("error", "create", "update", "unchanged")


def imports_visible_to(user):
    """The imports a person may open: a portal admin's, all of them."""
    if user.is_portal_admin:
        return AccountImport.objects.all()
    return AccountImport.objects.none()


def people_visible_to(user):
    if user.is_portal_admin:
        return User.objects.all()
    return User.objects.none()


def bounded_upload(view):
    """Answer a body larger than the import limit before it is read (413), then check CSRF.

    CsrfViewMiddleware would read the body first: the view is csrf_exempt until its size is
    known, and csrf_protect runs right after, as Django's upload documentation describes."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > imports.max_bytes() + 64 * 1024:
                response = _start_page(
                    request,
                    AccountImportForm(),
                    refusal=_("Berkas terlalu besar; paling besar %(limit)s MB.")
                    % {"limit": f"{imports.max_bytes() / 1048576:.0f}"},
                    status=413,
                )
                response["Connection"] = "close"
                return response
            check_form_fields(request)
        return protected(request, *args, **kwargs)

    wrapper.parses_own_uploads = True
    return wrapper


def _start_page(request, form, *, refusal="", status=200):
    recent = imports_visible_to(request.user).select_related("created_by", "committed_by")[:10]
    return render(
        request,
        "accounts/import_start.html",
        {
            "form": form,
            "refusal": refusal,
            "recent": recent,
            "max_mb": f"{imports.max_bytes() / 1048576:.0f}",
            "max_rows": imports.max_rows(),
        },
        status=status,
    )


@bounded_upload  # a malformed or oversized body is answered first, whoever sends it
@role_required(ADMIN)
def import_start(request):
    """Upload a table of people; it is read, checked and kept as a preview."""
    form = AccountImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = imports.preview(upload, by=request.user, name=upload.name)
        except imports.Refused as refused:
            return _start_page(request, form, refusal=refused.message, status=400)
        return redirect("accounts:import-detail", pk=record.pk)
    return _start_page(request, form, status=400 if request.method == "POST" else 200)


@role_required(ADMIN)
@require_GET
def import_template(request):
    response = HttpResponse(
        imports.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="templat-akun-ranham.xlsx"'
    return response


def _entry_rows(entries, people):
    """The page's rows with their messages, and after the commit each person's invitation."""
    latest = {}
    user_ids = [entry.get("user_id") for entry in entries if entry.get("user_id")]
    if people:
        for invitation in Invitation.objects.filter(user_id__in=user_ids).order_by(
            "user_id", "-created_at", "-pk"
        ):
            latest.setdefault(invitation.user_id, invitation)
    accounts = (
        User.objects.in_bulk(user_ids) if people else {}
    )  # one query, whatever the page's size
    shown = _change_values(entries)
    now = timezone.now()
    rows = []
    for entry in entries:
        user = accounts.get(entry.get("user_id"))
        invitation = latest.get(entry.get("user_id"))
        rows.append(
            {
                "entry": entry,
                "messages": [imports.message_of(code, params) for code, params in entry["errors"]],
                "changes": [
                    (imports.column_label(name), shown(name, before), shown(name, after))
                    for name, before, after in entry["changes"]
                ],
                "user": user,
                "invitation": invitation,
                "invitation_status": invitation.status_at(now) if invitation else "",
                "can_resend": user is not None
                and not user.has_usable_password()
                and (invitation is None or invitation.status_at(now) != InvitationStatus.ACCEPTED),
            }
        )
    return rows


def _change_values(entries):
    """How a change reads: regions and Kanwil by name, roles by label (two queries a page)."""
    ids = {"region": set(), "kanwil": set()}
    for entry in entries:
        for name, before, after in entry["changes"]:
            if name in ids:
                ids[name].update(value for value in (before, after) if value)
    names = {
        "region": {pk: str(region) for pk, region in Region.objects.in_bulk(ids["region"]).items()}
        if ids["region"]
        else {},
        "kanwil": {pk: str(kanwil) for pk, kanwil in Kanwil.objects.in_bulk(ids["kanwil"]).items()}
        if ids["kanwil"]
        else {},
    }

    def shown(name, value):
        if name in names:
            return names[name].get(value, "")
        if name == "role" and value in Role.values:
            return Role(value).label
        return value

    return shown


def _expired_page(request, record):
    """A preview past its day: what became of it and the way to upload the file again (410:
    the preview existed and is gone for good; one never made answers 404)."""
    return render(request, "accounts/import_expired.html", {"record": record}, status=410)


@role_required(ADMIN)
@require_GET
def import_detail(request, pk):
    """The preview (or, once committed, the result) of one upload, a tab of rows at a time."""
    record = get_object_or_404(
        imports_visible_to(request.user).select_related("created_by", "committed_by"), pk=pk
    )
    if record.has_expired():
        return _expired_page(request, record)
    counts = record.counts
    default = "error" if counts.get("error") else "create"
    tab = request.GET.get("tampil")
    if tab not in TABS:
        tab = default
    entries = [entry for entry in record.rows if entry["action"] == tab]
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("halaman"))
    committed = record.status == AccountImportStatus.COMMITTED
    return render(
        request,
        "accounts/import_detail.html",
        {
            "record": record,
            "counts": counts,
            "tab": tab,
            "tabs": [(name, _tab_label(name), counts.get(name, 0)) for name in TABS],
            "page": page,
            "rows": _entry_rows(page.object_list, people=committed),
            "committed": committed,
            "commit_consequences": _commit_consequences(counts),
            "ignored_columns": counts.get("ignored_columns", []),
            "resend_consequences": _resend_consequences(),
            "revoke_consequences": _revoke_consequences(),
        },
    )


def _tab_label(name):
    return {
        "error": _("Galat"),
        "create": _("Akun baru"),
        "update": _("Diubah"),
        "unchanged": _("Tidak berubah"),
    }[name]


def _commit_consequences(counts):
    return [
        ngettext(
            "%(count)s akun baru dibuat, belum aktif, dan diundang lewat e-mail (dan WhatsApp/SMS "
            "bila nomornya ada) untuk membuat kata sandinya sendiri.",
            "%(count)s akun baru dibuat, belum aktif, dan diundang lewat e-mail (dan WhatsApp/SMS "
            "bila nomornya ada) untuk membuat kata sandinya sendiri.",
            counts.get("create", 0),
        )
        % {"count": counts.get("create", 0)},
        ngettext(
            "%(count)s akun yang sudah ada diubah sesuai berkas.",
            "%(count)s akun yang sudah ada diubah sesuai berkas.",
            counts.get("update", 0),
        )
        % {"count": counts.get("update", 0)},
        _("Semua baris ditulis sekaligus atau tidak sama sekali; setiap perubahan tercatat."),
    ]


@role_required(ADMIN)
@require_POST
def import_commit(request, pk):
    record = get_object_or_404(imports_visible_to(request.user).select_related("created_by"), pk=pk)
    back = reverse("accounts:import-detail", args=[record.pk])
    if record.has_expired():
        return _expired_page(request, record)
    if record.status == AccountImportStatus.PREVIEW and "confirmed" not in request.POST:
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Impor akun dari %(name)s?") % {"name": record.file_name},
                "consequences": _commit_consequences(record.counts),
                "action": request.get_full_path(),
                "fields": [],
                "confirm_label": _("Ya, impor"),
                "back_url": back,
            },
        )
    outcome = imports.commit(record, by=request.user)
    if outcome.expired:  # its day ended between the page and the button
        return _expired_page(request, outcome.account_import)
    counts = outcome.account_import.counts
    if outcome.again:
        messages.info(request, _("Berkas ini sudah diimpor; tidak ada yang diimpor dua kali."))
    elif not outcome.committed:
        messages.error(
            request,
            _(
                "Data akun berubah sejak pratinjau dan kini ada baris yang galat; tidak ada yang "
                "ditulis. Perbaiki berkas lalu unggah lagi."
            ),
        )
    else:
        messages.success(
            request,
            _("Impor selesai: %(created)s akun baru diundang, %(updated)s diubah, %(same)s sama.")
            % {
                "created": counts["create"],
                "updated": counts["update"],
                "same": counts["unchanged"],
            },
        )
    return redirect(back)


def _back_to(request):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("accounts:import")


@role_required(ADMIN)
@require_POST
def invitation_resend(request, user_id):
    """A new invitation (the earlier link stops working), audited and sent after commit."""
    person = get_object_or_404(people_visible_to(request.user), pk=user_id)
    back = _back_to(request)
    if person.has_usable_password():
        messages.info(request, _("%(name)s sudah membuat kata sandi.") % {"name": person})
        return redirect(back)
    if "confirmed" not in request.POST:
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Kirim ulang undangan kepada %(name)s?") % {"name": person.shown_name},
                "consequences": _resend_consequences(),
                "action": request.get_full_path(),
                "fields": [("next", back)],
                "confirm_label": _("Ya, kirim ulang"),
                "back_url": back,
            },
        )
    invitations.invite(person, by=request.user)
    messages.success(
        request, _("Undangan baru dikirim kepada %(name)s.") % {"name": person.shown_name}
    )
    return redirect(back)


@role_required(ADMIN)
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(
        Invitation.objects.filter(user__in=people_visible_to(request.user)).select_related("user"),
        pk=pk,
    )
    back = _back_to(request)
    if "confirmed" not in request.POST:
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Cabut undangan %(name)s?") % {"name": invitation.user.shown_name},
                "consequences": _revoke_consequences(),
                "action": request.get_full_path(),
                "fields": [("next", back)],
                "confirm_label": _("Ya, cabut"),
                "confirm_class": "btn-danger",
                "back_url": back,
            },
        )
    if invitations.revoke(invitation, by=request.user):
        messages.success(
            request, _("Undangan %(name)s dicabut.") % {"name": invitation.user.shown_name}
        )
    else:
        messages.info(request, _("Undangan itu sudah tidak berlaku."))
    return redirect(back)


def _resend_consequences():
    return [
        _("Tautan undangan sebelumnya tidak berlaku lagi."),
        _("Tautan baru berlaku %(days)s hari dan dikirim lewat e-mail (dan WhatsApp/SMS).")
        % {"days": invitations.VALID_DAYS},
    ]


def _revoke_consequences():
    return [
        _("Tautan undangan tidak dapat dipakai lagi; akun tetap tidak aktif."),
        _("Undangan baru dapat dikirim kapan saja."),
    ]
