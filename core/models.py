"""Settings editors change once per site: the organisation, its accounts, the footer, sharing.

The site frame (`base.html` and `includes/`) shows them on every page, whichever app the page is from.
"""

from django.core.validators import RegexValidator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from core.blocks import FooterLinkBlock, SocialAccountBlock


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    organisation_name = models.CharField(
        max_length=100,
        default="Wild West Web",
        help_text="Shown in every page's title in the browser tab and search results, and in the footer.",
    )
    x_handle = models.CharField(
        "X (Twitter) handle",
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(r"^@\w{1,15}$", "Give the handle with the @ and up to 15 letters, digits or _.")
        ],
        help_text="Optional. The organisation's handle on X with the @, e.g. '@NSPCC'. "
        "Named in previews when a page is shared there.",
    )
    social_accounts = StreamField(
        [("account", SocialAccountBlock())],
        blank=True,
        help_text="The organisation's social media profiles, linked from the footer.",
    )
    footer_links = StreamField(
        [("link", FooterLinkBlock())],
        blank=True,
        help_text="Links shown in the footer of every page, e.g. 'About us', 'Contact'.",
    )
    privacy_notice_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The page that says how the campaign uses personal data. Linked from the footer "
        "and from forms that ask for personal data.",
    )
    default_share_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when a page without its own share image is shared on social media, "
        "ideally 1200 by 630 pixels.",
    )

    panels = [
        FieldPanel("organisation_name"),
        FieldPanel("x_handle"),
        FieldPanel("social_accounts"),
        FieldPanel("footer_links"),
        FieldPanel("privacy_notice_page"),
        FieldPanel("default_share_image"),
    ]

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"
