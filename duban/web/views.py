"""Page views: thin, they resolve what a request names, call a service, and render; no rule lives here."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "web/home.html")
