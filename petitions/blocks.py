"""The petition block: a petition's count and progress on any page, with a way to sign."""

from django.db import models
from wagtail import blocks

from petitions.models import PetitionPage
from petitions.models.counts import Counts, get_counts
from petitions.sign_form.form import SignatureForm
from petitions.sign_form.source import source_from_query
from petitions.signing.facts import signing_facts


class PetitionBlockDisplay(models.TextChoices):
    LINK = "link", "A button that takes people to the petition to sign"
    FORM = "form", "The sign form itself, in the page"


# What the block picker shows before any petition is live: an unsaved sample with a sample count.
SAMPLE_TITLE = "Open letter to Facebook"
SAMPLE_COUNT = 12_345


def _preview_value():
    petition = PetitionPage.objects.live().first() or PetitionPage(
        title=SAMPLE_TITLE, target=50_000, live=True
    )
    return {"petition": petition, "display": PetitionBlockDisplay.LINK}


class PetitionBlock(blocks.StructBlock):
    petition = blocks.PageChooserBlock(
        page_type="petitions.PetitionPage",
        label="Petition",
        help_text="The open letter to show. Its count and progress bar update on their own.",
    )
    heading = blocks.CharBlock(
        required=False,
        max_length=120,
        help_text="Optional. Leave empty to use the petition's title.",
    )
    display = blocks.ChoiceBlock(
        choices=PetitionBlockDisplay.choices,
        default=PetitionBlockDisplay.LINK,
        label="How people sign",
        help_text="A button keeps the page short; the form lets people sign without leaving the page.",
    )

    class Meta:
        icon = "form"
        template = "petitions/blocks/petition.html"
        label = "Petition"
        description = (
            "A petition's signature count and progress toward its target, with a button or form to sign."
        )
        preview_value = staticmethod(_preview_value)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        petition = value["petition"]
        if petition is None:
            return context
        context["petition"] = petition
        if petition.pk is None:
            context["counts"] = Counts(total=SAMPLE_COUNT, target=petition.target)
            return context
        facts = signing_facts(petition.pk)
        if facts is None or facts.restricted:
            # A private petition (a password, signed-in users only) on a page anyone may see, and cached
            # for everyone: neither its count nor its form belongs there.
            context["private"] = True
            return context
        context["counts"] = get_counts(petition)
        context["closed_message"] = petition.signing_closed_message()
        request = (parent_context or {}).get("request")
        # The link's source code goes on with the visitor: in the form, or on the link to the letter.
        context["source"] = source_from_query(request.GET) if request is not None else ""
        if value["display"] == PetitionBlockDisplay.FORM and not context["closed_message"]:
            context["form"] = SignatureForm(petition=petition, source=context["source"])
        return context
