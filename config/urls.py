from django.conf import settings
from django.urls import include, path
from django.views.decorators.cache import never_cache
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.documents import urls as wagtaildocs_urls

from core.views import NewPageView, healthz

handler500 = "core.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Ahead of Wagtail's own view at this path, wrapped as Wagtail wraps its admin views: new pages are
    # not autosaved (core.views.NewPageView).
    path(
        "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/<int:parent_page_id>/",
        never_cache(require_admin_access(NewPageView.as_view())),
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Search, sitemap.xml and robots.txt; included by name so `config` imports no app.
    path("", include("campaign.urls")),
    path("petitions/", include("petitions.urls")),
    path("data/", include("statistics.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves every path not matched above from the page tree; it must come last.
urlpatterns += [path("", include(wagtail_urls))]
