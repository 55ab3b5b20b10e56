"""Public data pages, mounted at /data/ by config/urls.py."""

from django.urls import path

from statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.DatasetListView.as_view(), name="dataset_list"),
    path("<slug:slug>/", views.DatasetDetailView.as_view(), name="dataset_detail"),
    path("<slug:slug>.csv", views.dataset_csv, name="dataset_csv"),
    path("<slug:slug>.json", views.dataset_json, name="dataset_json"),
]
