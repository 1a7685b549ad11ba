"""Public disclosure: the rectification lists of the plans and inspection rounds a supervisor published.

No login, no personal data, no internal notes, no evidence: what a page shows is what
duban.ledger.services.publication.public_items returns. A document nobody published is a 404, for everyone.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from duban.ledger.choices import ItemState
from duban.ledger.services import publication

from .filters import keyset_page

PAGE_SIZE = 50


@require_safe
@cache_control(public=True, max_age=300)
def index(request):
    page = keyset_page(publication.published_documents().only("pk", "title", "genre", "date"), ("-id",),
                       request.GET.get("after"), size=PAGE_SIZE)
    next_url = f"{request.path}?after={page.next_cursor}" if page.next_cursor else None
    return render(request, "web/public.html", {"page": page, "next_url": next_url,
                                               "first_url": None if page.first else request.path})


@require_safe
@cache_control(public=True, max_age=300)
def document(request, pk: int):
    found = publication.public_document(pk)
    if found is None:
        raise Http404("No published document matches.")
    day = timezone.localdate()
    rows, summary = publication.public_items(found, day=day)
    return render(request, "web/public_document.html", {
        "document": found, "rows": rows, "summary": summary, "day": day,
        "states": [(state, label, summary.counts[state]) for state, label in ItemState.choices if state in summary.counts],
    })
