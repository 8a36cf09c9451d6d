"""Target registry service.

Org units with their history, indicators, plans and targets, results posted by district systems in
DHIS2's formats, and progress.
"""

__version__ = "0.1.0"
