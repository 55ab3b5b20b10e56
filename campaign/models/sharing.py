"""Fields every public page shares: its share image, and whether it shows the site-wide sign banner."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class SharingFieldsMixin(models.Model):
    """Adds a share image (Promote tab) and the sign banner's switch (Settings tab) to a page type."""

    share_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared on social media, ideally 1200 by 630 pixels. "
        "When empty, the site's default share image is used.",
    )

    show_sign_banner = models.BooleanField(
        "show the sign banner",
        default=True,
        help_text="Show the banner asking visitors to sign the open letter (Settings > Sign banner) "
        "under the header of this page. Turn it off where the page asks already, e.g. the home page.",
    )

    promote_panels = Page.promote_panels + [FieldPanel("share_image")]
    settings_panels = Page.settings_panels + [FieldPanel("show_sign_banner")]

    class Meta:
        abstract = True
