"""Fields every public page shares: the image used when the page is shared on social media."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page


class SharingFieldsMixin(models.Model):
    """Adds a share image to a page type, editable on the Promote tab."""

    share_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Shown when the page is shared on social media, ideally 1200 by 630 pixels. "
        "When empty, the site's default share image is used.",
    )

    promote_panels = Page.promote_panels + [FieldPanel("share_image")]

    class Meta:
        abstract = True
