"""The letter's outcome, in public: the timeline editors keep on the petition page (delivered,
acknowledged, replied, what we ask next), one block per kind of entry so each shows only its own fields.

An entry can become the start of an outcome update to signers (`draft_from`): its words prefill the mail.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.html import escape, linebreaks
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class TimelineKind(blocks.StructBlock):
    """What every entry has: the day it happened and what happened, in the campaign's words."""

    date = blocks.DateBlock(label="Date", help_text="The day it happened.")
    text = blocks.TextBlock(
        label="What happened",
        help_text="A few plain sentences for the public page. They also start an update to signers.",
        rows=3,
    )

    def get_subject(self, value):
        return f"{self.meta.label}: {date_format(value['date'], 'j F Y')}"

    def get_body_html(self, value):
        return linebreaks(escape(value["text"]))


class DeliveredBlock(TimelineKind):
    how = blocks.CharBlock(
        max_length=200,
        label="How it was delivered",
        help_text="For example: 'by hand at their London office' or 'by email to the press office'.",
    )
    to_whom = blocks.CharBlock(
        max_length=200,
        label="To whom",
        help_text="The person or office who received it, as it should read in public.",
    )

    def get_body_html(self, value):
        return (
            f"<p>We delivered the letter {escape(value['how'])}, to {escape(value['to_whom'])}.</p>"
            + super().get_body_html(value)
        )

    class Meta:
        label = "Letter delivered"
        icon = "mail"
        template = "petitions/blocks/timeline_entry.html"
        description = "When, how and to whom the letter was handed over."
        preview_value = {
            "date": datetime.date(2026, 11, 20),
            "text": "Three young campaigners handed over the letter and your signatures.",
            "how": "by hand at their London office",
            "to_whom": "Meta's UK public policy team",
        }


class AcknowledgedBlock(TimelineKind):
    class Meta:
        label = "Receipt acknowledged"
        icon = "tick"
        template = "petitions/blocks/timeline_entry.html"
        description = "They confirmed they received the letter."
        preview_value = {"date": datetime.date(2026, 11, 24), "text": "Meta wrote to say the letter arrived."}


class RepliedBlock(TimelineKind):
    reply_text = blocks.TextBlock(
        required=False,
        label="Their reply",
        help_text="The reply's own words, if it is short enough to show in full. Give this or a link.",
        rows=4,
    )
    reply_link = blocks.URLBlock(
        required=False,
        label="Link to the reply",
        help_text="Where the full reply can be read, for example a PDF on this site. Give this or the text.",
    )

    def clean(self, value):
        value = super().clean(value)
        if not value.get("reply_text") and not value.get("reply_link"):
            message = "Give the reply's text or a link to it."
            raise StructBlockValidationError(
                block_errors={"reply_text": ValidationError(message), "reply_link": ValidationError(message)}
            )
        return value

    def get_body_html(self, value):
        html = super().get_body_html(value)
        if value.get("reply_text"):
            html += f"<p>Their reply:</p><blockquote>{linebreaks(escape(value['reply_text']))}</blockquote>"
        if value.get("reply_link"):
            html += f'<p><a href="{escape(value["reply_link"])}">Read the full reply</a></p>'
        return html

    class Meta:
        label = "They replied"
        icon = "openquote"
        template = "petitions/blocks/timeline_entry.html"
        description = "Their answer: its words, or a link to it."
        preview_value = {
            "date": datetime.date(2026, 12, 1),
            "text": "Meta replied to the letter.",
            "reply_text": "We take children's safety seriously.",
        }


class NextAskBlock(TimelineKind):
    link = blocks.URLBlock(
        required=False,
        label="Link for the next step",
        help_text="Optional: where people can do what we ask, for example a page to write to their MP.",
    )
    link_text = blocks.CharBlock(
        required=False,
        max_length=80,
        label="Words of the link",
        help_text="What the link says, for example 'Write to your MP'. Needed when there is a link.",
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("link") and not value.get("link_text"):
            raise StructBlockValidationError(
                block_errors={
                    "link_text": ValidationError("Say what the link is for, e.g. 'Write to your MP'.")
                }
            )
        return value

    def get_body_html(self, value):
        html = super().get_body_html(value)
        if value.get("link"):
            html += f'<p><a href="{escape(value["link"])}">{escape(value["link_text"])}</a></p>'
        return html

    class Meta:
        label = "What we ask next"
        icon = "arrow-right"
        template = "petitions/blocks/timeline_entry.html"
        description = "The campaign's next ask of its supporters."
        preview_value = {
            "date": datetime.date(2026, 12, 2),
            "text": "Ask your MP to back the Online Safety amendment.",
        }


class OutcomeTimelineBlock(blocks.StreamBlock):
    delivered = DeliveredBlock()
    acknowledged = AcknowledgedBlock()
    replied = RepliedBlock()
    next_ask = NextAskBlock()


def entries_by_date(timeline):
    """The timeline's entries, oldest first (entries of one day keep the editor's order)."""
    return sorted(timeline, key=lambda entry: entry.value["date"])


def find_entry(timeline, entry_id):
    """The entry with the block id `entry_id`, or None."""
    return next((entry for entry in timeline if entry.id == entry_id), None)


def draft_from(entry):
    """(subject, body HTML) for an outcome update starting from `entry`, to be edited before it is sent."""
    return entry.block.get_subject(entry.value), entry.block.get_body_html(entry.value)
