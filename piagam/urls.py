"""Piagam pages: awards and issuing for the ministry and the Kanwil, downloads, and the public
pages without login (the address a piagam's QR code opens, and the check by number)."""

from django.urls import path

from . import views

app_name = "piagam"

urlpatterns = [
    path("penghargaan/", views.awards, name="awards"),
    path("penghargaan/terbitan/<int:pk>/", views.batch_detail, name="batch"),
    path("penghargaan/terbitan/<int:pk>/status.json", views.batch_status, name="batch-status"),
    path("penghargaan/terbitan/<int:pk>/ulangi/", views.batch_retry, name="batch-retry"),
    path("piagam/<int:pk>/unduh/", views.certificate_pdf, name="certificate-pdf"),
    path("piagam/<int:pk>/cabut/", views.certificate_revoke, name="certificate-revoke"),
    path("piagam/v/<str:token>/", views.verify, name="verify"),
    path("piagam/cek/", views.verify_lookup, name="lookup"),
]
