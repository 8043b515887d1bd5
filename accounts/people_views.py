"""The readiness board (who can log in, per region) and the management of officers by admins
and Kanwil admins. Scoping: ``Region.objects.visible_to`` for the board,
``User.objects.managed_by`` for every officer a view changes (another Kanwil's: 404)."""

from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import board, invitations, people
from .access import ADMIN, EVALUATOR, role_required
from .cached import digest, version
from .contacts import normalise_email, normalise_phone
from .models import Region, User

PAGE_SIZE = 30


class BoardFilter(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Semua"))]
    )
    province = forms.TypedChoiceField(
        label=gettext_lazy("Provinsi"), required=False, coerce=int, empty_value=None
    )
    kanwil = forms.TypedChoiceField(
        label=gettext_lazy("Kanwil"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        everything = [("", _("Semua"))]
        self.fields["state"].choices = everything + board.State.CHOICES
        self.fields["province"].choices = everything + board.province_choices(user)
        if user.is_portal_admin:
            self.fields["kanwil"].choices = everything + board.kanwil_choices(user)
        else:
            del self.fields["kanwil"]

    def selects(self):
        """(field, [(value, label, selected)]) for the page's select boxes, worked out here:
        the province box alone has 38 options, too many to compare in the template."""
        chosen = {name: str(self.data.get(name, "")) for name in self.fields}
        return [
            (
                self[name],
                [(str(v), label, str(v) == chosen[name]) for v, label in field.choices],
            )
            for name, field in self.fields.items()
        ]

    def values(self):
        """The valid filters (an unknown value is ignored, never an error page)."""
        self.is_valid()
        found = getattr(self, "cleaned_data", {})
        return {
            "state": found.get("state") or None,
            "province": found.get("province"),
            "kanwil": found.get("kanwil"),
        }


def _filtered(request):
    """The filter form, every line of the places chosen, and the lines of the state too."""
    form = BoardFilter(request.GET or request.POST or None, user=request.user)
    return (form, *board.summary(request.user, **form.values()))


def _query(request):
    source = request.GET if request.method == "GET" else request.POST
    return "&".join(
        f"{key}={value}" for key in ("state", "province", "kanwil") if (value := source.get(key))
    )


@role_required(EVALUATOR, ADMIN)
@require_GET
def board_page(request):
    """Who can log in, region by region, with counts at the top."""
    form, lines, shown = _filtered(request)
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "accounts/board.html",
        {
            "form": form,
            # The counts cover the province and Kanwil chosen, whatever the state filter.
            "counts": board.counts(lines),
            "page": page,
            "table": _table(request, page),
            "query": _query(request),
            "manages": request.user.manages_officers,
        },
    )


def _table(request, page):
    """The rows of the page, rendered; with a shared cache kept there under the board's
    version (the same as the lines'), so that a repeated view reads no officer at all."""
    manages = request.user.manages_officers

    def render_table():
        rows = list(board.rows(page.object_list))
        if manages:
            board.add_actions(rows, request.get_full_path())
        return render_to_string("accounts/board_table.html", {"rows": rows}, request=request)

    if not settings.CACHE_URL:
        return render_table()
    key = digest(
        "readiness-board-table",
        version(board.VERSION_KEY),
        board.scope_of(request.user),
        request.get_full_path(),
        get_language(),
        manages,
    )
    html = cache.get(key)
    if html is None:
        html = render_table()
        cache.set(key, html, board.CACHE_SECONDS)
    return html


@role_required(EVALUATOR, ADMIN)
@require_GET
def board_export(request, fmt):
    _form, _lines, shown = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(board.export_csv(shown), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            board.export_xlsx(shown),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="kesiapan-akun-{stamp}.{fmt}"'
    return response


def manager_required(view):
    """Admins and Kanwil admins; other evaluators 403. Which officers: ``managed_by``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.manages_officers:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return role_required(EVALUATOR, ADMIN)(wrapped)


def _back(request):
    target = request.POST.get("kembali") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("accounts:board")


@manager_required
@require_http_methods(["GET", "POST"])
def resend_all(request):
    """Send again every open (pending or expired) invitation of the filtered regions."""
    _form, _lines, shown = _filtered(request)
    region_ids = [line.pk for line in shown]
    officers = list(board.resendable(request.user, region_ids).select_related("region"))
    if request.method == "POST":
        invitations.invite_many(officers, by=request.user)
        messages.success(request, _("%(n)s undangan dikirim ulang.") % {"n": len(officers)})
        return redirect(
            reverse("accounts:board") + ("?" + _query(request) if _query(request) else "")
        )
    return render(
        request,
        "accounts/people_confirm.html",
        {
            "title": _("Kirim ulang undangan"),
            "question": _(
                "Kirim ulang undangan kepada %(n)s petugas yang belum mengaktifkan akunnya? "
                "Tautan lama tidak berlaku lagi."
            )
            % {"n": len(officers)},
            "people": officers,
            "hidden": {k: v for k in ("state", "province", "kanwil") if (v := request.GET.get(k))},
            "action": reverse("accounts:board-resend"),
            "disabled": not officers,
        },
    )


def _officer(request, pk):
    return get_object_or_404(User.objects.managed_by(request.user).select_related("region"), pk=pk)


def _confirmed_action(request, pk, *, title, question, run, done, refused):
    officer = _officer(request, pk)
    if request.method == "POST":
        try:
            changed = run(officer)
        except ValueError:
            changed = False
        if changed is False:
            messages.error(request, refused)
        else:
            messages.success(request, done % {"name": officer.shown_name})
        return _back(request)
    return render(
        request,
        "accounts/people_confirm.html",
        {
            "title": title,
            "question": question % {"name": officer.shown_name},
            "people": [officer],
            "hidden": {"kembali": request.GET.get("kembali", "")},
            "action": request.path,
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def officer_resend(request, pk):
    return _confirmed_action(
        request,
        pk,
        title=_("Kirim ulang undangan"),
        question=_("Kirim undangan baru kepada %(name)s? Tautan lama tidak berlaku lagi."),
        run=lambda officer: officer.is_active and invitations.invite(officer, by=request.user),
        done=_("Undangan baru dikirim kepada %(name)s."),
        refused=_(
            "Akun ini sudah aktif dengan kata sandinya sendiri, atau nonaktif: tidak diundang."
        ),
    )


@manager_required
@require_http_methods(["GET", "POST"])
def officer_deactivate(request, pk):
    return _confirmed_action(
        request,
        pk,
        title=_("Nonaktifkan petugas"),
        question=_(
            "Nonaktifkan %(name)s? Ia tidak dapat masuk lagi dan sesinya yang sedang berjalan "
            "berakhir. Laporan dan riwayatnya tetap tersimpan."
        ),
        run=lambda officer: people.deactivate(officer, by=request.user),
        done=_("%(name)s dinonaktifkan."),
        refused=_("Akun ini sudah nonaktif."),
    )


@manager_required
@require_http_methods(["GET", "POST"])
def officer_reactivate(request, pk):
    return _confirmed_action(
        request,
        pk,
        title=_("Aktifkan kembali petugas"),
        question=_("Aktifkan kembali akun %(name)s?"),
        run=lambda officer: people.reactivate(officer, by=request.user),
        done=_("%(name)s aktif kembali."),
        refused=_("Akun ini sudah aktif."),
    )


@manager_required
@require_http_methods(["GET", "POST"])
def officer_unlock(request, pk):
    return _confirmed_action(
        request,
        pk,
        title=_("Buka kunci masuk"),
        question=_(
            "Buka kunci masuk %(name)s? Percobaan masuk yang gagal dengan nama penggunanya dihapus."
        ),
        run=lambda officer: people.unlock_login(officer, by=request.user),
        done=_("Kunci masuk %(name)s dibuka."),
        refused="",
    )


class OfficerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nama lengkap"), max_length=150)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254)
    phone = forms.CharField(label=gettext_lazy("Nomor WhatsApp"), max_length=30, required=False)
    region = forms.ModelChoiceField(label=gettext_lazy("Wilayah"), queryset=Region.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_portal_admin:
            self.fields["region"].queryset = Region.objects.all()
        else:
            self.fields["region"].queryset = Region.objects.of_kanwil(user.kanwil_id)

    def clean_email(self):
        try:
            email = normalise_email(self.cleaned_data["email"])
        except ValidationError:
            raise ValidationError(_("Alamat e-mail tidak valid.")) from None
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("E-mail ini sudah dipakai akun lain."))
        return email

    def clean_phone(self):
        text = self.cleaned_data.get("phone", "").strip()
        return normalise_phone(text) if text else ""


@manager_required
@require_http_methods(["GET", "POST"])
def officer_new(request):
    """A new officer of one of the person's regions, invited at once."""
    form = OfficerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        officer = people.create_officer(by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Akun %(username)s dibuat dan undangan dikirim ke %(email)s.")
            % {"username": officer.username, "email": officer.email},
        )
        return redirect("accounts:board")
    return render(request, "accounts/people_new.html", {"form": form})
