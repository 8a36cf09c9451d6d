"""Reminders: report.due and report.overdue for the reporting periods of targets, round.deadline_approaching
for the deadlines of award rounds, in working days, each once (docs/notifications.md, *Reminders*)."""
