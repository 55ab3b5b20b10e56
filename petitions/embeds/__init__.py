"""Partner sites: the petition's count and sign form in a frame on a partner's page, and its admin screens."""
