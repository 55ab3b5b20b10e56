"""The sign banner: a site-wide prompt to sign the open letter, under the header of every page."""

from django.db import models
from wagtail.admin.panels import FieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

DEFAULT_BANNER_HEADING = "Add your name to the open letter"


@register_setting(icon="form")
class SignBannerSettings(BaseSiteSetting):
    petition = models.ForeignKey(
        "petitions.PetitionPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="open letter",
        help_text="The open letter the banner asks visitors to sign, with its live count. Leave empty "
        "to show no banner anywhere. A page can turn the banner off on its Settings tab.",
    )
    heading = models.CharField(
        max_length=80,
        default=DEFAULT_BANNER_HEADING,
        help_text="The banner's words beside the count, e.g. 'Add your name to the open letter'.",
    )

    panels = [PageChooserPanel("petition"), FieldPanel("heading")]

    class Meta:
        verbose_name = "sign banner"
        verbose_name_plural = "sign banner"
