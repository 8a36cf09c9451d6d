"""Email over SMTP: one message per delivery, with a Message-ID that stays the same on every retry."""
