"""The bell's list, marking as read, each person's preferences and the deadline calendar."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import ADMIN, EVALUATOR, OFFICER, role_required

from .calendar import deadline_calendar
from .forms import PreferencesForm
from .models import KINDS_BY_ROLE, Notice, Preference, Profile
from .services import mark_read, mode_of, profile_of, regenerate_calendar_token, set_preferences


@role_required(OFFICER, EVALUATOR, ADMIN)
def notice_list(request):
    notices = Notice.objects.visible_to(request.user)
    page = Paginator(notices, 30).get_page(request.GET.get("halaman"))
    return render(request, "notifications/list.html", {"page": page})


@role_required(OFFICER, EVALUATOR, ADMIN)
@require_POST
def notice_open(request, pk):
    """Mark one notice read and go to the page it is about."""
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    mark_read(request.user, [notice.pk])
    target = notice.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("notifications:list")
    return redirect(target)


@role_required(OFFICER, EVALUATOR, ADMIN)
@require_POST
def mark_all_read(request):
    count = mark_read(request.user)
    messages.success(request, _("%(n)s pemberitahuan ditandai sudah dibaca.") % {"n": count})
    return redirect("notifications:list")


@role_required(OFFICER, EVALUATOR, ADMIN)
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    kinds = KINDS_BY_ROLE.get(user.role, [])
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    modes = {kind: mode_of(kind, chosen.get(kind)) for kind in kinds}
    # A GET writes nothing: a person who never saved has no profile row, only its defaults.
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    form = PreferencesForm(
        request.POST or None, kinds=kinds, modes=modes, initial={"language": profile.language}
    )
    if request.method == "POST" and form.is_valid():
        set_preferences(user, form.modes())
        profile = profile_of(user)
        profile.language = form.cleaned_data["language"]
        profile.save(update_fields=["language", "updated_at"])
        messages.success(request, _("Pilihan pemberitahuan disimpan."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@role_required(OFFICER)
@require_http_methods(["GET", "POST"])
def calendar_page(request):
    """The private address of the region's deadline calendar, and a way to change it."""
    replacing = Profile.objects.filter(user=request.user).exists()
    # Making the first address needs no second look; replacing one does (the old one dies).
    if request.method == "POST" and replacing and request.POST.get("confirmed") != "1":
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Buat alamat kalender baru?"),
                "consequences": [
                    _(
                        "Alamat lama langsung tidak berlaku: kalender yang berlangganan dengannya "
                        "berhenti menerima batas lapor."
                    ),
                    _("Anda perlu berlangganan lagi dengan alamat baru di setiap kalender."),
                ],
                "action": request.path,
                "fields": [],
                "confirm_label": _("Ya, buat alamat baru"),
                "confirm_class": "btn-danger",
                "back_url": reverse("notifications:calendar"),
            },
        )
    if request.method == "POST":
        profile = regenerate_calendar_token(request.user)
        messages.success(request, _("Alamat kalender baru dibuat; alamat lama tidak berlaku lagi."))
        return redirect("notifications:calendar")
    # A GET writes nothing: the address is made by the page's button (a POST) the first time.
    profile = Profile.objects.filter(user=request.user).first()
    feed = profile and request.build_absolute_uri(
        reverse("notifications:calendar-feed", args=[profile.calendar_token])
    )
    return render(
        request, "notifications/calendar.html", {"feed": feed, "region": request.user.region}
    )


def calendar_feed(request, token):
    """The iCalendar feed itself: no login (calendar apps cannot log in), a secret address."""
    profile = Profile.objects.filter(calendar_token=token).select_related("user__region").first()
    if profile is None or not profile.user.is_active or not profile.user.is_officer:
        raise Http404
    body = deadline_calendar(profile.user.region, profile.language)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="batas-lapor.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
