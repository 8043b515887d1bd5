"""Public results under /hasil/: no login, published figures only (published.results)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from accounts.models import Kanwil, Region

from . import opendata
from .caching import public_response
from .charts import history_chart
from .results import (
    cycle_results,
    kanwil_results,
    period_results,
    province_picture,
    published_cycle,
    published_cycles,
    published_periods,
    region_history,
)


def _cycle_or_404(year):
    cycle = published_cycle(year)
    if cycle is None:
        raise Http404
    return cycle


def _kanwils():
    return list(Kanwil.objects.order_by("name").values_list("code", "name"))


@require_GET
@public_response
def index(request):
    cycles = published_cycles()
    latest = cycles[0] if cycles else None
    rows = cycle_results(latest) if latest else []
    return render(
        request,
        "public/index.html",
        {"cycles": cycles, "latest": latest, "top": rows[:10], "count": len(rows)},
    )


@require_GET
@public_response
def cycle(request, year):
    cycle = _cycle_or_404(year)
    return render(
        request,
        "public/ranking.html",
        {
            "cycle": cycle,
            "rows": cycle_results(cycle),
            "kanwils": _kanwils(),
            "periods": published_periods(cycle),
            "scope": None,
        },
    )


@require_GET
@public_response
def kanwil(request, year, code):
    cycle = _cycle_or_404(year)
    office = get_object_or_404(Kanwil, code=code)
    return render(
        request,
        "public/ranking.html",
        {
            "cycle": cycle,
            "rows": kanwil_results(cycle_results(cycle), office.code),
            "kanwils": _kanwils(),
            "periods": published_periods(cycle),
            "scope": office,
        },
    )


@require_GET
@public_response
def period(request, year, code):
    cycle = _cycle_or_404(year)
    chosen = next((p for p in published_periods(cycle) if p.code == code), None)
    if chosen is None:
        raise Http404
    return render(
        request,
        "public/ranking.html",
        {
            "cycle": cycle,
            "period": chosen,
            "rows": period_results(chosen),
            "kanwils": [],
            "periods": published_periods(cycle),
            "scope": None,
        },
    )


@require_GET
@public_response
def provinces(request, year):
    cycle = _cycle_or_404(year)
    return render(
        request,
        "public/provinces.html",
        {"cycle": cycle, "provinces": province_picture(cycle_results(cycle))},
    )


@require_GET
@public_response
def region(request, code):
    place = get_object_or_404(Region.objects.select_related("province"), code=code)
    history = region_history(place.code)
    if not history:
        raise Http404
    return render(
        request,
        "public/region.html",
        {
            "region": place,
            "history": history,
            "chart": history_chart(history),
            "latest": history[-1][1],
        },
    )


@require_GET
@public_response
def data_file(request, year, fmt):
    cycle = _cycle_or_404(year)
    if fmt not in opendata.FORMATS:
        raise Http404
    return opendata.response(cycle, cycle_results(cycle), fmt)


@require_GET
@public_response
def dictionary(request):
    return render(request, "public/dictionary.html", {"fields": opendata.dictionary()})


@require_GET
@public_response
def catalog(request):
    return opendata.catalog_response(published_cycles())


# The public pages are kept whole in a shared cache, so they carry no CSRF token; choosing a
# language there only sets the language cookie, which nothing forged can abuse.
language = csrf_exempt(set_language)
