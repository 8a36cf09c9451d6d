"""Events in: the contract of every event type and version, and the intake that persists them once."""
