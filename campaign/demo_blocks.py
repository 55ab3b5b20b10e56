"""The demo's blocks and fields from its words file: each block's table in `demo.toml` turned into the
value Wagtail stores, with the pages, images, figures and letter it names looked up in what the demo has
built so far (`Demo`). `campaign.demo` builds the site with them; the benchmarks build pages with
`statistic_block` and `petition_block`."""

import uuid
from dataclasses import dataclass, field

from wagtail.fields import StreamField
from wagtail.images import get_image_model

from campaign.blocks import CallToActionStyle
from core.blocks import HeadingLevel
from core.demo_content import field_values, plain_text, rich_text
from core.sharing import ShareNetwork
from petitions.blocks import PetitionBlockDisplay


class Names(dict):
    """What the demo's words name, by name: a name they never define is a slip in the file, said plainly."""

    def __init__(self, what, *args):
        super().__init__(*args)
        self.what = what

    def __missing__(self, name):
        raise ValueError(
            f"The demo's words name {self.what} “{name}” that is not there: use one of {', '.join(self)}."
        )


@dataclass
class Demo:
    """The demo's words, and what their names stand for once built: pages (with "home"), images, widgets."""

    content: dict
    widgets: Names
    pages: Names = field(default_factory=lambda: Names("a page"))
    images: Names = field(default_factory=lambda: Names("an image"))
    petition: object = None


def block(block_type, value):
    """One StreamField item in the stored (JSON) form, with a stable id of its own."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def _statistic_value(widget, heading_level="h2", width="text"):
    return {"widget": widget.pk, "heading_level": heading_level, "width": width}


def _petition_value(petition, display):
    return {"petition": petition.pk, "heading": "", "display": PetitionBlockDisplay(display)}


def statistic_block(widget, heading_level="h2", width="text"):
    return block("statistic", _statistic_value(widget, heading_level, width))


def petition_block(petition, display):
    return block("petition", _petition_value(petition, display))


# Blocks from the file ----------------------------------------------------------------------------
# Each takes a block's table from the file and what is built so far, and gives the block's stored value.


def _link(spec, demo):
    page = spec.get("page")
    return {"page": demo.pages[page].pk if page else None, "url": spec.get("url", "")}


def _heading(spec, demo):
    return {
        "text": plain_text(spec["text"]),
        "level": HeadingLevel(spec.get("level", HeadingLevel.H2)),
        "anchor": spec.get("anchor", ""),
    }


def _pull_quote(spec, demo):
    quotes = demo.content["quotes"]
    return {
        "quote": plain_text(spec["quote"]),
        "speaker": spec.get("speaker", quotes["speaker"]),
        "role": spec.get("role", quotes["role"]),
        "source_url": spec.get("source_url", ""),
    }


def _share_links(spec, demo):
    share = demo.content["share_links"]
    return {
        "heading": share["heading"],
        "message": plain_text(share["message"]),
        "networks": [network.value for network in ShareNetwork],
    }


def _demands(spec, demo):
    demands = demo.content["demands"]
    return {
        "heading": demands["heading"],
        "demands": [
            {
                "type": "item",
                "id": str(uuid.uuid4()),
                "value": {name: plain_text(text) for name, text in item.items()},
            }
            for item in demands["items"]
        ],
    }


def _image(spec, demo):
    return {
        "image": demo.images[spec["image"]].pk,
        **{name: plain_text(spec[name]) for name in ("alt_text", "caption", "credit")},
    }


def _video(spec, demo):
    return {
        "url": spec["url"],
        "title": plain_text(spec["title"]),
        "caption": plain_text(spec["caption"]),
        "transcript_url": spec.get("transcript_url", ""),
    }


def _call_to_action(spec, demo):
    return {
        "heading": plain_text(spec["heading"]),
        "text": plain_text(spec["text"]),
        "link": _link(spec, demo),
        "link_text": plain_text(spec["link_text"]),
        "style": CallToActionStyle(spec["style"]),
    }


_BLOCK_VALUES = Names(
    "a block type",
    {
        "heading": _heading,
        "statistic": lambda spec, demo: _statistic_value(
            demo.widgets[spec["widget"]], spec.get("heading_level", "h2"), spec.get("width", "text")
        ),
        "petition": lambda spec, demo: _petition_value(demo.petition, spec["display"]),
        "text": lambda spec, demo: rich_text(spec["text"]),
        "pull_quote": _pull_quote,
        "share_links": _share_links,
        "demands": _demands,
        "image": _image,
        "video": _video,
        "call_to_action": _call_to_action,
        "account": lambda spec, demo: {"network": spec["network"], "url": spec["url"]},
        "link": lambda spec, demo: {"text": plain_text(spec["text"]), "link": _link(spec, demo)},
    },
)


def stream_block(spec, demo):
    """One block of a stream, from its table in the file."""
    return block(spec["type"], _BLOCK_VALUES[spec["type"]](spec, demo))


def model_fields(model, copy, demo):
    """A page's (or the settings') fields from the file: streams of blocks, pages and images by name, text."""
    built = {}
    text = {}
    for name, value in copy.items():
        model_field = model._meta.get_field(name)
        if isinstance(model_field, StreamField):
            built[name] = [stream_block(spec, demo) for spec in value]
        elif model_field.is_relation:
            built[name] = (demo.images if model_field.related_model is get_image_model() else demo.pages)[
                value
            ]
        else:
            text[name] = value
    return {**field_values(model, text), **built}
