"""The core of the handoff brief generator: domain model, settings and errors.

This package imports nothing else of ours; every other layer imports it.
"""

__version__ = "0.1.0"
