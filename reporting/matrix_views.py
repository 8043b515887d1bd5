"""The admins' page for the year's action matrix: import a workbook (preview, then commit)
or copy last year's cycle."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import ADMIN, role_required
from accounts.days import ministry_today

from .matrix import (
    MatrixError,
    TableError,
    commit_matrix,
    forget_previewed,
    keep_previewed,
    period_codes,
    preview,
    previewed,
    read_matrix,
    template_workbook,
)
from .models import ReportingCycle
from .services import ReportingError, copy_cycle
from .tables import MAX_BYTES

SESSION_KEY = "matrix-import"
IMPORTED_KEY = "matrix-imported"  # the last workbook this session committed
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(value, default):
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _page(request, **context):
    cycles = list(ReportingCycle.objects.order_by("-year"))
    today = ministry_today()
    defaults = {
        "cycles": cycles,
        "year": today.year + 1 if today.month >= 10 else today.year,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    return render(request, "reporting/matrix_import.html", {**defaults, **context})


def _plan(data, year):
    cycle = ReportingCycle.objects.filter(year=year).prefetch_related("periods").first()
    return read_matrix(data, codes=period_codes(cycle))


@role_required(ADMIN)
@require_http_methods(["GET", "POST"])
def matrix_import(request):
    """Upload a workbook: its preview (what would be created and changed, every problem)."""
    if request.method == "GET":
        return _page(request)
    year = _year(request.POST.get("year"), None)
    upload = request.FILES.get("file")
    if year is None or upload is None:
        return render_error(request, _("Pilih tahun siklus dan berkas XLSX."), year)
    try:
        data = upload.read(MAX_BYTES + 1)
        plan = _plan(data, year)
    except TableError as error:
        return render_error(request, str(error), year)
    result = preview(plan, year)
    if not result.problems:
        keep_previewed(data, plan.digest)
    request.session[SESSION_KEY] = {"digest": plan.digest, "year": year, "name": upload.name}
    return _page(request, preview=result, digest=plan.digest, year=year, filename=upload.name)


def render_error(request, message, year):
    response = _page(request, upload_error=message, year=year)
    response.status_code = 400
    return response


@role_required(ADMIN)
@require_POST
def matrix_commit(request):
    """Commit the workbook whose preview this session saw, all or nothing."""
    pending = request.session.get(SESSION_KEY) or {}
    digest = request.POST.get("digest", "")
    imported = request.session.get(IMPORTED_KEY) or {}
    if digest and imported.get("digest") == digest:  # the button pressed again after its commit
        messages.info(
            request,
            _(
                "Matriks %(year)s dari berkas %(name)s sudah diimpor; tidak ada yang diimpor "
                "dua kali."
            )
            % {"year": imported["year"], "name": imported["name"]},
        )
        return redirect("reporting:matrix-import")
    data = previewed(digest) if digest and pending.get("digest") == digest else None
    if data is None:
        messages.error(request, _gone(pending, digest))
        return redirect("reporting:matrix-import")
    year = pending["year"]
    try:
        result = commit_matrix(_plan(data, year), year, by=request.user, source=pending["name"])
    except (MatrixError, TableError) as error:
        messages.error(request, str(error))
        return redirect("reporting:matrix-import")
    forget_previewed(digest)
    del request.session[SESSION_KEY]
    request.session[IMPORTED_KEY] = {"digest": digest, "year": year, "name": pending["name"]}
    messages.success(
        request,
        _(
            "Matriks %(year)s diimpor: %(actions)s aksi baru, %(changed)s aksi diubah, "
            "%(measures)s ukuran baru, %(measures_changed)s ukuran diubah, "
            "%(assignments)s penugasan baru."
        )
        % {
            "year": year,
            "actions": len(result.actions_new),
            "changed": len(result.actions_changed),
            "measures": len(result.measures_new),
            "measures_changed": len(result.measures_changed),
            "assignments": result.assignments_new,
        },
    )
    return redirect("reporting:matrix-import")


def _gone(pending, digest):
    """Why a preview cannot be committed: the upload form is where the message is shown."""
    if digest and pending.get("digest") == digest:
        return _(
            "Pratinjau %(name)s sudah kedaluwarsa (berkas pratinjau disimpan sehari) atau sudah "
            "dihapus; tidak ada yang diimpor. Unggah berkasnya lagi di bawah ini."
        ) % {"name": pending["name"]}
    return _(
        "Pratinjau ini sudah tidak berlaku: kedaluwarsa, sudah diimpor, atau dibuat di sesi "
        "lain; tidak ada yang diimpor. Unggah berkasnya lagi di bawah ini."
    )


@role_required(ADMIN)
@require_POST
def matrix_copy(request):
    """Start a cycle from an earlier one ("Salin dari 2026")."""
    source = get_object_or_404(ReportingCycle, year=_year(request.POST.get("source"), 0))
    year = _year(request.POST.get("year"), source.year + 1)
    try:
        copy_cycle(source, year, by=request.user)
    except ReportingError as error:
        messages.error(request, str(error))
        return redirect("reporting:matrix-import")
    messages.success(
        request,
        _("Siklus %(year)s dibuat dari siklus %(source)s. Periksa tanggal dan aksinya di admin.")
        % {"year": year, "source": source.year},
    )
    return redirect("reporting:matrix-import")


@role_required(ADMIN)
@require_GET
def matrix_template(request):
    """An empty workbook with the three sheets and their columns, to fill in."""
    response = HttpResponse(template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="matriks-aksi-ham.xlsx"'
    return response
