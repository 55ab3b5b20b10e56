"""The sizes images are drawn at on the public site, and loading images with those renditions at once."""

from wagtail.images import get_image_model
from wagtail.images.models import Filter

# Pictures in pages: WebP (a quarter of the PNG's bytes) with a JPEG fallback, at two widths, as
# `{% picture image format-{webp,jpeg} width-{800,1600} %}` asks for them.
PICTURE_FORMATS = "format-{webp,jpeg}"
PICTURE_WIDTHS = "width-{800,1600}"
# The share card stays PNG: not every social network reads WebP.
SHARE_RENDITION = "fill-1200x630"

# Every image on the public site is drawn at one of these sizes; loading their renditions with the
# images means a page with many images costs no extra queries.
IMAGE_RENDITIONS = (*Filter.expand_spec([PICTURE_FORMATS, PICTURE_WIDTHS]), SHARE_RENDITION)


def get_images_with_renditions(pks):
    """The images with these primary keys, by key, with their public renditions already loaded."""
    return get_image_model().objects.prefetch_renditions(*IMAGE_RENDITIONS).in_bulk(pks)
