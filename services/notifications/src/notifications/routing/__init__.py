"""Who an event type reaches, and on which channels: rules kept as data, editable through the API."""
