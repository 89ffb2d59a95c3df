"""Every write of the integrations: API keys (:mod:`.keys`), Open311 intake and updates (:mod:`.open311`),
webhook subscriptions and deliveries (:mod:`.webhooks`)."""
