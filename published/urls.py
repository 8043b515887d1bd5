from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("bahasa/", views.language, name="language"),
    path("data/kamus/", views.dictionary, name="dictionary"),
    path("katalog.jsonld", views.catalog, name="catalog"),
    path("wilayah/<str:code>/", views.region, name="region"),
    path("<int:year>/", views.cycle, name="cycle"),
    path("<int:year>/provinsi/", views.provinces, name="provinces"),
    path("<int:year>/kanwil/<slug:code>/", views.kanwil, name="kanwil"),
    path("<int:year>/periode/<str:code>/", views.period, name="period"),
    path("<int:year>/data.<str:fmt>", views.data_file, name="data"),
]
