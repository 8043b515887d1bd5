from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/buka/", views.notice_open, name="open"),
    path("baca-semua/", views.mark_all_read, name="mark-all-read"),
    path("pilihan/", views.preferences, name="preferences"),
    path("kalender/", views.calendar_page, name="calendar"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
]
