from django.urls import path

from . import matrix_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.officer_home, name="officer-home"),
    path("periode/<int:period_pk>/", views.report_edit, name="report-edit"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/versi/<int:number>/", views.report_version, name="report-version"),
    path("data-dukung/<int:pk>/", views.evidence_file, name="evidence-file"),
    path(
        "periode/<int:period_pk>/data-dukung/<int:requirement_pk>/",
        views.evidence_upload,
        name="evidence-upload",
    ),
    path("perpanjangan/minta/", views.extension_request, name="extension-request"),
    path("perpanjangan/", views.extension_requests, name="extension-requests"),
    path("perpanjangan/<int:pk>/putuskan/", views.extension_decide, name="extension-decide"),
    path("matriks/", matrix_views.matrix_import, name="matrix-import"),
    path("matriks/simpan/", matrix_views.matrix_commit, name="matrix-commit"),
    path("matriks/salin/", matrix_views.matrix_copy, name="matrix-copy"),
    path("matriks/templat.xlsx", matrix_views.matrix_template, name="matrix-template"),
]
