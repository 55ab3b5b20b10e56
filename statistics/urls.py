"""Public data pages, mounted at /data/ by config/urls.py."""

from django.urls import path

from core.page_cache.middleware import cache_whole_page
from statistics import views

app_name = "statistics"

urlpatterns = [
    # The same for every anonymous visitor, and changed only by the data (statistics.apps purges on it):
    # whole pages from the page cache. A filtered view (its query parameters) is rendered each time.
    path("", cache_whole_page(views.DatasetListView.as_view()), name="dataset_list"),
    path("<slug:slug>/", cache_whole_page(views.DatasetDetailView.as_view()), name="dataset_detail"),
    path("<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("<slug:slug>.json", views.dataset_json, name="dataset_json"),
]
