"""The campaign's page types and site settings, one module per concept."""

from .campaign_page import CampaignPage
from .home_page import HomePage
from .news import NewsArticlePage, NewsArticleTag, NewsIndexPage
from .site_settings import SiteSettings
from .standard_page import StandardPage

__all__ = [
    "CampaignPage",
    "HomePage",
    "NewsArticlePage",
    "NewsArticleTag",
    "NewsIndexPage",
    "SiteSettings",
    "StandardPage",
]
