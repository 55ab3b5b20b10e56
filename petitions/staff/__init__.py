"""Staff tools in the Wagtail admin: the signature listing, filters, bulk actions, exports, invalidation."""
