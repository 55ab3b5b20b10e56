"""The campaign's page types and its sign banner setting, one module per concept (the site settings are
`core.models.SiteSettings`)."""

from .campaign_page import CampaignPage
from .home_page import HomePage
from .news import NewsArticlePage, NewsArticleTag, NewsIndexPage
from .sign_banner import SignBannerSettings
from .standard_page import StandardPage

__all__ = [
    "CampaignPage",
    "HomePage",
    "NewsArticlePage",
    "NewsArticleTag",
    "NewsIndexPage",
    "SignBannerSettings",
    "StandardPage",
]
