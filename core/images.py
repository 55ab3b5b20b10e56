"""The sizes images are drawn at on the public site, and loading images with those renditions at once."""

from wagtail.images import get_image_model

# Every image on the public site is drawn at one of these sizes; loading their renditions with the
# images means a page with many images costs no extra queries.
IMAGE_RENDITIONS = ("width-800", "width-1600", "fill-1200x630")


def get_images_with_renditions(pks):
    """The images with these primary keys, by key, with their public renditions already loaded."""
    return get_image_model().objects.prefetch_renditions(*IMAGE_RENDITIONS).in_bulk(pks)
