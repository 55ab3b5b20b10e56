"""`{% load uk_time %}{{ moment|uk_time }}`: a time in UK time with its zone (core.uk_time)."""

from django import template

from core.uk_time import uk_time as format_uk_time

register = template.Library()


@register.filter
def uk_time(moment):
    return format_uk_time(moment)
