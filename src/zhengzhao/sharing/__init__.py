"""Sharing licenses with consent: service matters, using parties, authorizations,
shares, checks, forms that fill themselves, and the holder's access record."""
