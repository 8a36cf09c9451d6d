"""An org unit's webhook endpoints, signed per Standard Webhooks, and the sender that calls them."""
