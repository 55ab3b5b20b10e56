"""URLs of the campaign's public views outside the page tree."""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from campaign import views

urlpatterns = [
    path("search/", views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
