"""Awards and piagam: proposals, issuing batches, downloads, revocation, public verification."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def awards(request):
    raise Http404


@login_required
def batch_detail(request, pk):
    raise Http404


@login_required
def batch_status(request, pk):
    raise Http404


@login_required
def batch_retry(request, pk):
    raise Http404


@login_required
def certificate_pdf(request, pk):
    raise Http404


@login_required
def certificate_revoke(request, pk):
    raise Http404


def verify(request, token):
    raise Http404


def verify_lookup(request):
    raise Http404
