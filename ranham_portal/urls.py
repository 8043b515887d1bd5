from django.contrib import admin
from django.urls import include, path

from . import views

handler500 = "ranham_portal.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("sehat/siap/", views.readiness, name="readiness"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("laporan/", include("reporting.urls")),
    path("evaluasi/", include("evaluation.urls")),
    path("", include("piagam.urls")),
    path("notifikasi/", include("notifications.urls")),
    path("hasil/", include("published.urls")),
    path("api/v1/", include("api.urls")),
]

handler400 = "ranham_portal.views.bad_request"
handler403 = "ranham_portal.views.permission_denied"
handler404 = "ranham_portal.views.page_not_found"
