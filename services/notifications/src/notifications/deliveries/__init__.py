"""Deliveries: one per event, recipient and channel, sent by the workers with retries and a dead letter."""
