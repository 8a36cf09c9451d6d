"""The workers: procrastinate's job queue (fan-out, deliveries, sweeps, digests, reminders)."""
