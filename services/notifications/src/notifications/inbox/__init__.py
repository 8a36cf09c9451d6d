"""The in-app inbox: each notification once per person, read or unread."""
