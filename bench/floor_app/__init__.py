"""The floor the benchmarks compare the project with: bare Django views, no Wagtail, no apps.

`/sign/` shows a sign form (the least a page with one can be: its fields written out, the CSRF and
timing tokens filled in), and on POST validates the project's own sign form and inserts the same
signature row as the real sign view, with nothing else around it (no rate limit, no consent lookups,
no mail task); `/page/` renders a small template; `/count.json` sums the open letter's counter rows
into a small JSON answer. Run under the same gunicorn configuration as the project.
"""
