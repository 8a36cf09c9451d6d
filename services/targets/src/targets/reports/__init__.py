"""Downloads of progress: a plan's progress for an org unit and the units below it (JSON, CSV, Excel) and the
SVG chart of one target. (Reporting *obligations*, who owes a value for a period, are `targets.reporting`.)"""
