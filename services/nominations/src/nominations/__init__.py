"""Nominations and awards service.

Award catalogue with dated legal rules, movements, emulation blocks, rounds, nominations and
dossiers, council with secret ballots, public disclosure, decisions, the public awards registry and
exemplars.
"""

__version__ = "0.1.0"
