"""The handoff package built from a brief: DOCX, Markdown, JSON, email and agenda drafts."""
