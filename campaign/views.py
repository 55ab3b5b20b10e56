"""Public views outside the page tree: site search and robots.txt."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from wagtail.models import Page

RESULTS_PER_PAGE = 10
# Longer queries are cut, not refused: nobody types more, and full-text search cost grows with them.
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """Full-text search over the live, public pages, through Wagtail's database backend."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        pages = Page.objects.live().public().search(query, operator="and")
        results = Paginator(pages, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"search_query": query, "results": results, "query_prefix": urlencode({"q": query})}
    return render(request, "campaign/search_results.html", context)


@require_GET
def robots_txt(request):
    """Let crawlers in everywhere but the admin, and tell them where the sitemap is."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "campaign/robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain")
