"""Publishing results (admins): which cycles are final, publish one, withdraw with a reason."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import ADMIN, role_required
from reporting.models import ReportingCycle

from .. import publication
from ..models import Publication


@require_GET
@role_required(ADMIN)
def publications(request):
    cycles = list(ReportingCycle.objects.prefetch_related("periods").order_by("-year"))
    active = {
        p.cycle_id: p
        for p in Publication.objects.active()
        .filter(period__isnull=True)
        .select_related("published_by")
    }
    rows = [
        {
            "cycle": cycle,
            "publication": active.get(cycle.pk),
            "blocking": [] if cycle.pk in active else publication.unfinished(cycle),
        }
        for cycle in cycles
    ]
    history = Publication.objects.select_related(
        "cycle", "period", "published_by", "withdrawn_by"
    ).order_by("-published_at")[:20]
    return render(request, "evaluation/publications.html", {"rows": rows, "history": history})


@require_POST
@role_required(ADMIN)
def publish(request, cycle_pk):
    cycle = get_object_or_404(ReportingCycle, pk=cycle_pk)
    back = reverse("evaluation:publications")
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Umumkan hasil %(year)s?") % {"year": cycle.year},
                "consequences": [
                    _(
                        "Nilai akhir, peringkat, tingkat pelaporan dan piagam setiap daerah "
                        "tampil di halaman publik /hasil/, di data terbuka dan di API."
                    ),
                    _(
                        "Berkas data dukung, catatan verifikator dan nama petugas tidak pernah "
                        "diumumkan."
                    ),
                    _("Pengumuman dapat ditarik kembali dengan alasan tertulis."),
                ],
                "action": request.path,
                "fields": [],
                "confirm_label": _("Ya, umumkan"),
                "back_url": back,
            },
        )
    try:
        publication.publish(cycle, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Hasil %(year)s diumumkan.") % {"year": cycle.year})
    return redirect(back)


@require_POST
@role_required(ADMIN)
def withdraw(request, pk):
    chosen = get_object_or_404(Publication.objects.active(), pk=pk)
    back = reverse("evaluation:publications")
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Tuliskan alasan penarikan."))
        return redirect(back)
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Tarik pengumuman hasil %(what)s?") % {"what": chosen},
                "consequences": [
                    _("Halaman publik, data terbuka dan API tidak lagi menampilkan hasil ini."),
                    _("Alasan Anda dicatat dan tetap tersimpan."),
                ],
                "details_heading": _("Alasan"),
                "details": [reason],
                "action": request.path,
                "fields": [("reason", reason)],
                "confirm_label": _("Ya, tarik"),
                "confirm_class": "btn-danger",
                "back_url": back,
            },
        )
    try:
        publication.withdraw(chosen, by=request.user, reason=reason)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Pengumuman ditarik."))
    return redirect(back)
