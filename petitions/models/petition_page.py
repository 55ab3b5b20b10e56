"""The open letter as a Wagtail page: the letter, its asks, its target and when it takes signatures."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from petitions.models.counts import get_counts
from petitions.models.public_signers import recent_public_signers
from petitions.sign_form.form import SignatureForm
from petitions.sign_form.source import source_from_query

LETTER_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]

DEFAULT_CONTACT_CONSENT_WORDING = (
    "Yes, I would like to hear from the Wild West Web campaign about its work by email. "
    "I can unsubscribe at any time."
)
DEFAULT_SHOW_PUBLICLY_WORDING = "Show my first name and area in the public list of people who have signed."
DEFAULT_SHARE_TEXT = "I've signed this open letter. Will you sign it too?"
DEFAULT_SHARE_EMAIL_SUBJECT = "Will you sign this open letter with me?"


class SigningStatus(models.TextChoices):
    OPEN = "open", "Open"
    NOT_OPEN = "not-open", "Not open yet"
    CLOSED = "closed", "Closed"
    UNPUBLISHED = "unpublished", "Not published"


def signing_status(live, opens_at, closes_at, now=None):
    """Whether a petition with this publication state and signing window takes signatures now.

    A function of the facts, not of the page, so that the sign view can answer from the facts it
    keeps in the cache (`petitions.signing.facts.SigningFacts`).
    """
    now = now or timezone.now()
    if not live:
        return SigningStatus.UNPUBLISHED
    if opens_at and now < opens_at:
        return SigningStatus.NOT_OPEN
    if closes_at and now >= closes_at:
        return SigningStatus.CLOSED
    return SigningStatus.OPEN


def signing_closed_message(live, opens_at, closes_at, now=None):
    """Why a petition takes no signatures right now, or "" when it does."""
    status = signing_status(live, opens_at, closes_at, now)
    if status == SigningStatus.NOT_OPEN:
        opens = date_format(timezone.localtime(opens_at), "j F Y \\a\\t H:i")
        return f"This petition opens for signatures on {opens}. You cannot sign it yet."
    if status == SigningStatus.CLOSED:
        closed = date_format(timezone.localtime(closes_at), "j F Y")
        return f"This petition closed on {closed}. It no longer takes signatures."
    if status == SigningStatus.UNPUBLISHED:
        return "This petition is not published, so it cannot be signed."
    return ""


class PetitionPage(Page):
    """An open letter people sign. The sign form sits on the page; signatures live in `Signature`."""

    addressee = models.CharField(
        max_length=200,
        help_text="Who the letter is to, as it should read above the letter, e.g. 'Mark Zuckerberg, Meta'.",
    )
    letter = RichTextField(
        features=LETTER_FEATURES,
        help_text="The text of the open letter, exactly as signers put their name to it.",
    )
    asks = StreamField(
        [
            (
                "ask",
                blocks.CharBlock(
                    max_length=300,
                    label="Ask",
                    help_text="One thing the letter asks for, as a short sentence.",
                ),
            )
        ],
        blank=True,
        help_text="The letter's demands, shown as a numbered list under the letter. Add one item for each.",
    )
    target = models.PositiveIntegerField(
        default=50_000,
        validators=[MinValueValidator(1)],
        help_text="The number of signatures the campaign aims for. The progress bar fills toward it.",
    )
    opens_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="opens for signatures at",
        help_text="Leave empty to take signatures as soon as the page is published.",
    )
    closes_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="closes for signatures at",
        help_text=(
            "After this time the form goes and no more signatures are taken. Leave empty to keep it open."
        ),
    )
    confirmation_required = models.BooleanField(
        default=True,
        verbose_name="signatures must be confirmed by email",
        help_text=(
            "Recommended. Each signer gets an email with a link, and the signature counts only once they "
            "follow it. This keeps fake addresses out of the count."
        ),
    )
    thank_you_message = RichTextField(
        features=["bold", "italic", "link"],
        help_text="Shown once a signature is confirmed. Thank the signer and say what happens next.",
    )
    share_text = models.TextField(
        max_length=280,
        default=DEFAULT_SHARE_TEXT,
        help_text="The words signers are offered to share after signing, on WhatsApp, Facebook, X and "
        "in an email, followed by the letter's address. 280 characters at most.",
    )
    share_email_subject = models.CharField(
        "subject of the share email",
        max_length=120,
        default=DEFAULT_SHARE_EMAIL_SUBJECT,
        help_text="The subject of the email signers can send to friends after signing; its text is the "
        "words above and the letter's address.",
    )
    privacy_notice = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=(
            "The privacy notice that applies to signatures, linked beside the form. The version published "
            "when someone signs is recorded with their signature."
        ),
    )
    tells_outcome = models.BooleanField(
        default=False,
        verbose_name="signers will be told the outcome",
        help_text=(
            "Tick only if the privacy notice says every signer will be told the outcome of the letter by "
            "email. Signers are told so beside the form, and outcome updates can then go to all of them."
        ),
    )
    contact_consent_wording = models.CharField(
        max_length=300,
        default=DEFAULT_CONTACT_CONSENT_WORDING,
        verbose_name="wording of the 'hear more' tick box",
        help_text=(
            "The exact words beside the tick box for hearing more from the campaign. Each signature keeps "
            "a copy of the words it was shown. Check changes with the data protection officer."
        ),
    )
    show_publicly_wording = models.CharField(
        max_length=300,
        default=DEFAULT_SHOW_PUBLICLY_WORDING,
        verbose_name="wording of the 'show my name' tick box",
        help_text="The exact words beside the tick box for appearing in the public list of signers.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("addressee"),
        FieldPanel("letter"),
        FieldPanel("asks"),
        FieldPanel("target"),
        MultiFieldPanel(
            [FieldPanel("thank_you_message"), FieldPanel("share_text"), FieldPanel("share_email_subject")],
            heading="After signing",
        ),
    ]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("confirmation_required"),
            ],
            heading="Signing",
        ),
        MultiFieldPanel(
            [
                PageChooserPanel("privacy_notice"),
                FieldPanel("tells_outcome"),
                FieldPanel("contact_consent_wording"),
                FieldPanel("show_publicly_wording"),
            ],
            heading="Personal data and consent",
        ),
    ]

    parent_page_types = ["campaign.CampaignPage", "campaign.HomePage"]
    subpage_types = []
    template = "petitions/petition_page.html"
    # Its name in the main navigation (`core.templatetags.site_frame.main_navigation`): letters' titles are
    # long, and the menu must fit a phone.
    menu_label = "Open letter"

    class Meta:
        verbose_name = "petition (open letter)"

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The closing time must be after the opening time."})

    def signing_status(self, now=None):
        return signing_status(self.live, self.opens_at, self.closes_at, now)

    def signing_closed_message(self, now=None):
        """Why the petition takes no signatures right now, or "" when it does."""
        return signing_closed_message(self.live, self.opens_at, self.closes_at, now)

    @property
    def privacy_notice_version(self):
        """The privacy notice as published now, as 'page id/revision id' ("" when there is none)."""
        notice = self.privacy_notice
        if notice is None:
            return ""
        return f"{notice.pk}/{notice.live_revision_id or notice.latest_revision_id or 0}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["counts"] = get_counts(self)
        context["closed_message"] = self.signing_closed_message()
        context["recent_signers"] = recent_public_signers(self)
        if not context["closed_message"]:
            context.setdefault("form", SignatureForm(petition=self, source=source_from_query(request.GET)))
        return context
