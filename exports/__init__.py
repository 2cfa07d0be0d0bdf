"""The handoff package built from a brief: DOCX, Markdown, JSON, email and agenda drafts.

    outline.py        what the brief document shows, decided once for every format
      ├── stakeholders.py    one row per person, several roles each
      ├── conflicts_view.py  conflicts with both sides quoted, gaps with their questions
      └── citations.py       numbered, grounded-only source references
    docx_brief.py     render_docx: the Word document (the one python-docx import)
    markdown.py       render_markdown: the same sections, citations as footnotes
    json_export.py    render_json: the model dump plus labels
    drafts.py         intro email, meeting agendas, CRM checklist, 30/60/90 plan
      └── draft_context.py   what the drafts may say, gathered from the brief

Import the submodules directly; this package imports nothing, so using the Markdown export
does not load python-docx.
"""
