"""Versioned prompt files (data, not code), loaded with importlib.resources."""
