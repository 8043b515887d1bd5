from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("antrean/", views.queue, name="queue"),
    path("laporan/<int:pk>/reviu/", views.review, name="review"),
    path("laporan/<int:pk>/buka-kembali/", views.reopen_view, name="reopen"),
    path("nilai/<int:region_pk>/<int:period_pk>/", views.explain_score, name="explain"),
    path("peringkat/", views.rankings, name="rankings"),
    path("peringkat/unduh.<str:fmt>", views.rankings_export, name="rankings-export"),
    path("nasional/", views.overview, name="overview"),
    path("pengumuman/", views.publications, name="publications"),
    path("pengumuman/siklus/<int:cycle_pk>/umumkan/", views.publish, name="publish"),
    path("pengumuman/<int:pk>/tarik/", views.withdraw, name="withdraw"),
]
