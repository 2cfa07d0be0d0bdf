"""The product's faces: the FastAPI app, its web pages and the ``handoff`` CLI."""
