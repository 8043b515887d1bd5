"""Public pages, without login: the address a piagam's QR code opens, and the check by number."""

from django.urls import path

from . import views

app_name = "piagam"

urlpatterns = [
    path("piagam/v/<str:token>/", views.verify, name="verify"),
    path("piagam/cek/", views.verify_lookup, name="lookup"),
]
