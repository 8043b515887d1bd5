from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import import_views, invitation_views, views
from .forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "masuk/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("tanpa-peran/", views.no_role, name="no-role"),
    path("masuk/buka-kunci/", views.unlock_request, name="unlock-request"),
    path("masuk/buka-kunci/<str:token>/", views.unlock, name="unlock"),
    path("sehat/", views.health, name="health"),
    path("akun/", views.security, name="security"),
    path("akun/dua-langkah/", views.two_factor_verify, name="two-factor"),
    path("akun/dua-langkah/daftar/", views.two_factor_setup, name="two-factor-setup"),
    path("akun/dua-langkah/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path("undangan/<str:token>/", invitation_views.invitation_accept, name="invitation-accept"),
    path("akun/impor/", import_views.import_start, name="import"),
    path("akun/impor/templat.xlsx", import_views.import_template, name="import-template"),
    path("akun/impor/<int:pk>/", import_views.import_detail, name="import-detail"),
    path("akun/impor/<int:pk>/simpan/", import_views.import_commit, name="import-commit"),
    path(
        "akun/undangan/<int:user_id>/kirim-ulang/",
        import_views.invitation_resend,
        name="invitation-resend",
    ),
    path(
        "akun/undangan/cabut/<int:pk>/",
        import_views.invitation_revoke,
        name="invitation-revoke",
    ),
    # Password reset by e-mail and change, with Django's own views in the portal's look.
    # Password reset by e-mail (the mail sent by a worker) and change, in the portal's look.
    path("lupa-sandi/", views.password_reset, name="password-reset"),
    path(
        "lupa-sandi/terkirim/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "lupa-sandi/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "lupa-sandi/selesai/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path(
        "ganti-sandi/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            success_url=reverse_lazy("accounts:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "ganti-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password-change-done",
    ),
]
