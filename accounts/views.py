from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def home(request):
    """Each role lands on its own home page."""
    return redirect(request.user.home_url_name)


@login_required
def no_role(request):
    return render(request, "accounts/no_role.html")
