"""Admin for API tokens, webhooks and their deliveries (issue: Partner REST API v1)."""
