"""The HTTP service: a live API for platforms, moderators, auditors and members, scoped
bearer tokens, and signed webhooks back to the platform."""
