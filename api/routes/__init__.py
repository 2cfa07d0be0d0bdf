"""The app's routers: the JSON API under ``/api`` and the server-rendered web pages."""
