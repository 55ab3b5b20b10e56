"""Whole-page cache for anonymous visitors, kept in the shared cache so every app server sees one copy.

Wagtail's pages are stored, and the pages of Django views marked `middleware.cache_whole_page` (the
data pages: they purge on their own signal; the public list of signers, kept only as long as the count).
Stored pages are kept without the templates' indentation (`compact`).

Every cached page carries the *content generation* it was rendered in (`purge.content_generation()`, a
`core.caching.Generation`), read with the page in one round trip. Purging is bumping that generation
(`purge.purge_pages()`): every server then treats its next hit as stale. One request at a time per
page, across servers, renders it afresh and replaces the stale entry; for PAGE_CACHE_STALE_SECONDS
after the purge the others are served the stale copy meanwhile. Wagtail's publish, unpublish and
move signals, site, settings and page privacy changes purge automatically; other apps call
`purge_pages()` (or connect their own signals to `purge_pages_after_commit`) when something a page
shows changes.

- `middleware`: `PageCacheMiddleware`, near the top of the stack, which serves whole pages (to visitors
  with a session too, when nothing in it changes a page), stores them with their final headers, and
  claims re-renders; `PageCacheRenderMiddleware`, inside the stack, which routes from the cache and takes
  each page as rendered for it.
- `fragments`: `cached_fragment`, behind the `{% cache_until_purge %}` tag: parts of pages kept under the
  same generation, for requests the whole-page cache cannot answer (a visitor with a session, a query
  parameter it does not know).
- `tokens`: what makes a stored page fit to serve to anyone, and personal again when served: each
  visitor's CSRF token, the values registered with `renew_on_every_view` (the sign form's timing
  token) and with `fill_on_every_view` (the link's source code, from each request's query string) are
  cut out before storing and made afresh for every view; pages are stored cut at those slots, as
  bytes, so a view is one join.
- `routing`: Wagtail's site lookup, route and view restrictions for a path, kept under the same
  generation, for the requests the whole-page cache cannot answer.
- `purge`: the content generation, the stale window after a purge, and the signals that bump it.
- `compact`: a rendered page's runs of white space holding a line break made one line break, outside
  tags and `<pre>`, `<textarea>`, `<script>` and `<style>`: the same page in fewer bytes.
"""
