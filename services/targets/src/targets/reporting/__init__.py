"""Reporting obligations: which org units owe which indicator's result for a period, and whether it came."""
