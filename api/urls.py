from csp.decorators import csp_update
from django.middleware.http import ConditionalGetMiddleware
from django.urls import path
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import views

app_name = "api"

# Every answer carries an ETag of its content; a matching If-None-Match gets 304.
conditional = decorator_from_middleware(ConditionalGetMiddleware)


# Swagger UI and ReDoc (from drf-spectacular-sidecar, served by the portal) set styles from
# script and ReDoc searches in a blob: worker; only these two pages allow that.
documentation = csp_update({"style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["blob:"]})


def endpoint(view):
    return conditional(view.as_view())


urlpatterns = [
    path("regions/", endpoint(views.RegionList), name="regions"),
    path("regions/<str:code>/", endpoint(views.RegionDetail), name="region"),
    path("kanwil/", endpoint(views.KanwilList), name="kanwil"),
    path("cycles/", endpoint(views.CycleList), name="cycles"),
    path("periods/", endpoint(views.PeriodList), name="periods"),
    path("results/<int:year>/", endpoint(views.ResultList), name="results"),
    path("piagam/<str:token>/", endpoint(views.PiagamCheck), name="piagam"),
    path("reports/", endpoint(views.ReportStates), name="reports"),
    path("rates/", endpoint(views.Rates), name="rates"),
    path("scores/", endpoint(views.Scores), name="scores"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        documentation(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        documentation(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
]
