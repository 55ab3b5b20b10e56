"""`{% cache_until_purge "name" value ... %}...{% endcache_until_purge %}`: kept until the next purge.

Like Django's `{% cache %}`, but the fragment goes stale when the page cache is purged (a publish, a
widget or its data changing), and forms inside it get each visitor's own CSRF and timing tokens. The
values after the name are what else the fragment depends on; see `core.page_cache.fragments.cached_fragment`.
"""

from django import template
from django.utils.safestring import mark_safe

from core.page_cache.fragments import cached_fragment

register = template.Library()


class CacheUntilPurgeNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        vary_on = [value.resolve(context) for value in self.vary_on]
        html = cached_fragment(request, self.name, vary_on, lambda: self.nodelist.render(context))
        # Rendered by the template engine, which escaped what needed escaping.
        return mark_safe(html)  # noqa: S308


@register.tag
def cache_until_purge(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    name = bits[1].strip("\"'")
    nodelist = parser.parse(("endcache_until_purge",))
    parser.delete_first_token()
    return CacheUntilPurgeNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
