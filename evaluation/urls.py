from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("antrean/", views.queue, name="queue"),
    path("nasional/", views.overview, name="overview"),
]
