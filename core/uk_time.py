"""Times as staff read them: UK time with its zone, "2 Dec 2026, 14:05 GMT" (or BST in summer)."""

from zoneinfo import ZoneInfo

from django.utils import timezone

UK = ZoneInfo("Europe/London")


def uk_time(moment):
    """`moment` (an aware datetime) in UK time, with the day, month, year and zone; "" for None."""
    if moment is None:
        return ""
    local = timezone.localtime(moment, UK)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
