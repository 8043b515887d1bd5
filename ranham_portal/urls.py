from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("laporan/", include("reporting.urls")),
    path("evaluasi/", include("evaluation.urls")),
    path("", include("evaluation.public_urls")),
]
