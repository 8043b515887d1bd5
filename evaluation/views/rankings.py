"""Rankings (page and exports) and the admins' national overview with its charts."""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.access import ADMIN, EVALUATOR, OFFICER, role_required
from accounts.days import ministry_today
from accounts.models import Kanwil, Region
from reporting.cycles import choose_cycle, cycles_with_periods
from reporting.models import ReportingCycle

from .. import caches, exports, fragments, recaps
from ..models import Score
from ..rankings import closed_periods, cycle_ranking, period_ranking

TIE_BREAKS = {
    "timeliness": _("ditentukan oleh T"),
    "responsiveness": _("ditentukan oleh R"),
    "mean_first_submission": _("ditentukan oleh rata-rata waktu kirim pertama"),
    "region_code": _("ditentukan oleh kode wilayah"),
}
# In one period there is one first submission per region, not a mean.
PERIOD_TIE_BREAKS = {
    **TIE_BREAKS,
    "mean_first_submission": _("ditentukan oleh waktu kirim pertama"),
}

RANKING_CACHE_SECONDS = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choose_period(cycle, code):
    if not code:
        return None
    period = next((p for p in cycle.periods.all() if p.code.lower() == code.lower()), None)
    if period is None:
        raise Http404
    return period


@dataclass
class RankingSelection:
    """What a rankings request asks for, resolved within what the user may see."""

    cycles: list
    cycle: ReportingCycle | None
    period: object  # a Period, or None for the annual ranking
    kanwils: list  # the Kanwil the user may choose
    kanwil: Kanwil | None  # None: national
    national_allowed: bool
    today: object
    rows: list = field(default_factory=list)

    def compute_rows(self, user):
        if self.cycle is not None:
            if self.period is not None:
                self.rows = period_ranking(self.period, self.kanwil)
            else:
                self.rows = cycle_ranking(self.cycle, self.kanwil, today=self.today)
        if user.is_officer:
            # DESIGN section 4: officers see only their own region, here with its position.
            self.rows = [row for row in self.rows if row.region.pk == user.region_id]
        return self.rows

    @property
    def counted_periods(self):
        """The periods the figures come from: the chosen one, or the closed ones."""
        if self.cycle is None:
            return []
        if self.period is not None:
            return [self.period]
        return closed_periods(self.cycle, self.today)

    @property
    def params(self):
        values = {}
        if self.cycle is not None:
            values["siklus"] = self.cycle.year
        if self.period is not None:
            values["periode"] = self.period.code
        if self.kanwil is not None:
            values["kanwil"] = self.kanwil.code
        return values

    @property
    def slug(self):
        parts = ["peringkat"]
        if self.cycle is not None:
            parts.append(str(self.cycle.year))
        if self.period is not None:
            parts.append(self.period.code.lower())
        parts.append(self.kanwil.code if self.kanwil is not None else "nasional")
        return "-".join(parts)

    @property
    def scope_label(self):
        return self.kanwil.name if self.kanwil is not None else _("Nasional")

    @property
    def title(self):
        if self.cycle is None:
            return str(_("Peringkat"))
        when = (
            str(self.period)
            if self.period is not None
            else _("Tahunan %(year)s") % {"year": self.cycle.year}
        )
        return f"{_('Peringkat')} {when} · {self.scope_label}"


def select_ranking(request, *, compute=True):
    """Resolve the GET parameters of the rankings page and exports, and compute the ranking.

    Officers see their own region's line of the national ranking or their Kanwil's;
    evaluators their own Kanwil's ranking; admins all. A Kanwil out of scope answers 404.
    """
    user = request.user
    if not (user.is_officer or user.is_evaluator or user.is_portal_admin):
        raise PermissionDenied
    today = ministry_today()
    cycles = cycles_with_periods()
    cycle = choose_cycle(request, cycles, today=today)
    period = _choose_period(cycle, request.GET.get("periode")) if cycle else None
    kanwils = list(Kanwil.objects.visible_to(user))
    national_allowed = user.is_portal_admin or user.is_officer
    code = request.GET.get("kanwil")
    if code:
        kanwil = next((k for k in kanwils if k.code == code), None)
        if kanwil is None:
            raise Http404
    elif national_allowed:
        kanwil = None
    else:
        kanwil = next((k for k in kanwils if k.pk == user.kanwil_id), None)
        if kanwil is None:
            raise Http404
    selection = RankingSelection(
        cycles=cycles,
        cycle=cycle,
        period=period,
        kanwils=kanwils,
        kanwil=kanwil,
        national_allowed=national_allowed,
        today=today,
    )
    if compute:
        selection.compute_rows(user)
    return selection


@dataclass
class PeriodFigure:
    period: object
    final: object
    provisional: bool
    url: str | None


@dataclass
class RankingLine:
    """A ranking row as the page shows it."""

    row: object
    tie_break: str | None
    own: bool
    figures: list  # PeriodFigure per counted period (annual ranking), None where not assigned
    explain_url: str | None  # the period ranking's explanation link


def _lines(selection, user):
    rows = selection.rows
    region_ids = [row.region.pk for row in rows]
    # The explanation pages are scoped like reports; link only what the user may open.
    explainable = (
        set(Region.objects.visible_to(user).filter(pk__in=region_ids).values_list("pk", flat=True))
        if region_ids
        else set()
    )
    periods = selection.counted_periods
    finals = defaultdict(dict)
    if selection.period is None and region_ids:
        for region_id, period_id, final, provisional in (
            Score.objects.filter(period__in=periods, region__in=region_ids)
            .order_by()
            .values_list("region_id", "period_id", "final", "provisional")
        ):
            finals[region_id][period_id] = (final, provisional)

    def explain(region_id, period):
        if region_id not in explainable:
            return None
        return reverse("evaluation:explain", args=[region_id, period.pk])

    lines = []
    for row in rows:
        region_id = row.region.pk
        figures = []
        if selection.period is None:
            for period in periods:
                found = finals[region_id].get(period.pk)
                figures.append(
                    PeriodFigure(period, found[0], found[1], explain(region_id, period))
                    if found
                    else None
                )
        lines.append(
            RankingLine(
                row=row,
                tie_break=(PERIOD_TIE_BREAKS if selection.period else TIE_BREAKS).get(
                    row.ranked_by
                ),
                own=user.is_officer and region_id == user.region_id,
                figures=figures,
                explain_url=explain(region_id, selection.period) if selection.period else None,
            )
        )
    return lines


RANKING_PAGE_SIZE = 50


def _table_cache_key(selection, user, page):
    """Everything the rendered ranking table depends on, with the versions it shows."""
    cycle = selection.cycle
    versions = caches.versions_in_use()
    return caches.digest_key(
        "ranking-table",
        (
            cycle.pk,
            versions.of(cycle),
            versions.names,
            selection.period.pk if selection.period else "tahunan",
            selection.kanwil.pk if selection.kanwil else "nasional",
            caches.scope(user),
            selection.today.isoformat(),
            get_language(),
            page,
        ),
    )


@role_required(OFFICER, EVALUATOR, ADMIN)
@caches.shared_page("ranking-page")
def rankings(request):
    """Ranking per period or per cycle, per Kanwil or national, with the tie-breaks shown.

    The table is the costly part at national scale, so its HTML is cached under the cycle's
    score version: any recomputation of the cycle's scores gives it a new key.
    """
    selection = select_ranking(request, compute=False)
    query = urlencode(selection.params)
    table = None
    if selection.cycle is not None:
        page_number = request.GET.get("halaman") or "1"
        key = _table_cache_key(selection, request.user, page_number)
        table = cache.get(key)
        if table is None:
            selection.compute_rows(request.user)
            # Regions that have sent nothing all stand at 0: ordering them would only show
            # their codes. The page says that no region has a score yet instead.
            unscored = not recaps.scored(selection.rows)
            if unscored:
                selection.rows = []
            page = Paginator(selection.rows, RANKING_PAGE_SIZE).get_page(page_number)
            selection.rows = list(page.object_list)
            table = render_to_string(
                "evaluation/_ranking_table.html",
                {
                    "selection": selection,
                    "page": page,
                    "rows": selection.rows,
                    "lines": _lines(selection, request.user),
                    "counted_periods": selection.counted_periods,
                    "unscored": unscored,
                },
                request=request,
            )
            cache.set(key, table, RANKING_CACHE_SECONDS)
    return render(
        request,
        "evaluation/rankings.html",
        {
            "selection": selection,
            "table": table,
            "counted_periods": selection.counted_periods if selection.cycle else [],
            "period_open": selection.period is not None
            and selection.period.closes_on >= selection.today,
            "export_xlsx": reverse("evaluation:rankings-export", args=["xlsx"]) + f"?{query}",
            "export_csv": reverse("evaluation:rankings-export", args=["csv"]) + f"?{query}",
        },
    )


@role_required(OFFICER, EVALUATOR, ADMIN)
def rankings_export(request, fmt):
    """The ranking the page shows, for the same parameters and scope, as XLSX or CSV."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    selection = select_ranking(request)
    if fmt == "xlsx":
        recap = None
        # The recap counts every region of its scope: officers, whose page shows their own
        # region's line only, get no recap (the national one would list every Kanwil).
        if selection.cycle is not None and not request.user.is_officer:
            recap = recaps.kanwil_recap(selection.counted_periods, kanwil=selection.kanwil)
        response = HttpResponse(
            exports.to_xlsx(selection.rows, title=selection.title, recap=recap), content_type=XLSX
        )
    else:
        # The byte order mark lets spreadsheet programs read the UTF-8 names correctly.
        response = HttpResponse(
            "\ufeff" + exports.to_csv(selection.rows), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{selection.slug}.{fmt}"'
    return response


@role_required(ADMIN)
@caches.shared_page("overview-page")
def overview(request):
    """National overview for admins: reporting rates per Kanwil and period, and the charts."""
    today = ministry_today()
    cycles = cycles_with_periods()
    cycle = choose_cycle(request, cycles, today=today)
    period = _choose_period(cycle, request.GET.get("periode")) if cycle else None
    if period is not None:
        counted = [period]
    else:
        counted = recaps.due_periods(cycle, today) if cycle is not None else []
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "period": period,
        "counted_periods": counted,
    }
    if cycle is None:
        # Every Kanwil is listed, even before there is a cycle to report on.
        context["figures_html"] = render_to_string(
            "evaluation/_overview_figures.html",
            {
                **context,
                "recap": recaps.by_kanwil([], list(Kanwil.objects.all()), recaps.region_counts()),
            },
        )
    else:
        context["figures_html"] = fragments.overview_html(cycle, period, counted, today)
        context["rankings_url"] = (
            reverse("evaluation:rankings")
            + "?"
            + urlencode({"siklus": cycle.year, **({"periode": period.code} if period else {})})
        )
    return render(request, "evaluation/overview.html", context)
