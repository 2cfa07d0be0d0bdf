"""The web pages' own words in English and German (the brief's words are in handoff.labels).

Kept as (en, de) pairs in one table so the two languages cannot drift apart; a test checks
every pair has both. ``{name}`` placeholders are filled by :func:`ui`.
"""

from __future__ import annotations

from typing import Any

from handoff.labels import Lang

_UI: dict[str, tuple[str, str]] = {
    "app_name": ("Handoff brief", "Übergabe-Briefing"),
    "deals": ("Deals", "Deals"),
    "metrics": ("Metrics", "Kennzahlen"),
    "sign_in": ("Sign in", "Anmelden"),
    "sign_out": ("Sign out", "Abmelden"),
    "email": ("Email", "E-Mail"),
    "password": ("Password", "Passwort"),
    "login_failed": ("Email or password is wrong.", "E-Mail oder Passwort ist falsch."),
    "login_expired": ("The sign-in form expired; please try again.",
                      "Das Anmeldeformular ist abgelaufen; bitte erneut versuchen."),
    "role_rep": ("sales rep", "Vertrieb"),
    "role_csm": ("CSM", "CSM"),
    "role_manager": ("manager", "Manager"),
    "role_admin": ("admin", "Admin"),
    "new_deal": ("New deal", "Neuer Deal"),
    "deal_name": ("Customer / deal name", "Kunde / Dealname"),
    "create": ("Create", "Anlegen"),
    "no_deals": ("No deals yet.", "Noch keine Deals."),
    "owner": ("Owner", "Verantwortlich"),
    "csms": ("CSM", "CSM"),
    "documents": ("Sources", "Quellen"),
    "stage": ("Handoff status", "Übergabestatus"),
    "stage_new": ("new", "neu"),
    "stage_sources": ("sources uploaded", "Quellen hochgeladen"),
    "stage_brief": ("brief ready", "Briefing fertig"),
    "stage_signed": ("signed, handoff running", "unterschrieben, Übergabe läuft"),
    "stage_kicked_off": ("kicked off", "Kickoff erfolgt"),
    "sla_on_track": ("SLA on track", "SLA im Plan"),
    "sla_breached": ("SLA breached", "SLA verletzt"),
    "sla_overdue": ("SLA overdue", "SLA überfällig"),
    "sources_title": ("Sources", "Quellen"),
    "upload": ("Upload", "Hochladen"),
    "upload_hint": ("Call transcripts, emails, CRM exports, documents — several at once.",
                    "Gesprächsprotokolle, E-Mails, CRM-Exporte, Dokumente — mehrere auf einmal."),
    "segments_count": ("{n} segments", "{n} Abschnitte"),
    "status_accepted": ("accepted", "übernommen"),
    "status_duplicate": ("duplicate", "doppelt"),
    "status_rejected": ("rejected", "abgelehnt"),
    "build_brief": ("Build brief", "Briefing erstellen"),
    "rebuild_brief": ("Build brief again", "Briefing neu erstellen"),
    "job_queued": ("Waiting to start…", "Wartet auf Start…"),
    "job_running": ("Building the brief…", "Briefing wird erstellt…"),
    "job_succeeded": ("Brief ready.", "Briefing fertig."),
    "job_failed": ("Building the brief failed:", "Erstellen fehlgeschlagen:"),
    "reload": ("Reload", "Neu laden"),
    "no_brief": ("No brief yet. Upload the deal's sources, then build the brief.",
                 "Noch kein Briefing. Quellen hochladen, dann das Briefing erstellen."),
    "downloads": ("Downloads", "Downloads"),
    "dl_docx": ("Brief (Word)", "Briefing (Word)"),
    "dl_md": ("Brief (Markdown)", "Briefing (Markdown)"),
    "dl_json": ("Brief (JSON)", "Briefing (JSON)"),
    "dl_email": ("Intro email", "Vorstellungs-E-Mail"),
    "dl_agenda": ("Meeting agendas", "Meeting-Agenden"),
    "dl_checklist": ("CRM checklist", "CRM-Checkliste"),
    "dl_plan": ("30/60/90 plan", "30/60/90-Plan"),
    "open_source": ("Show in source", "In der Quelle zeigen"),
    "passage_hint": ("Click a quote to see it in its source.",
                     "Ein Zitat anklicken, um es in der Quelle zu sehen."),
    "source_passage": ("Source passage", "Quellstelle"),
    "confirm": ("Confirm", "Bestätigen"),
    "correct": ("Correct", "Korrigieren"),
    "reject": ("Reject", "Verwerfen"),
    "corrected_text": ("Corrected text", "Korrigierter Text"),
    "gap_inbox": ("Questions for the rep", "Fragen an den Vertrieb"),
    "answer_gap": ("Save answer", "Antwort speichern"),
    "confirm_promise": ("Confirm as promised", "Als zugesagt bestätigen"),
    "reject_promise": ("Not promised", "Nicht zugesagt"),
    "answered": ("answered", "beantwortet"),
    "ask_title": ("Ask about this deal", "Frage zum Deal"),
    "ask_placeholder": ("e.g. Who signs off the budget?", "z. B. Wer gibt das Budget frei?"),
    "ask": ("Ask", "Fragen"),
    "unsupported": ("The sources do not answer this for sure.",
                    "Die Quellen beantworten das nicht sicher."),
    "timeline": ("Handoff timeline", "Übergabe-Zeitplan"),
    "step": ("Step", "Schritt"),
    "due": ("Due", "Fällig"),
    "done": ("Done", "Erledigt"),
    "state": ("SLA", "SLA"),
    "hours_late": ("{hours} h late", "{hours} Std. zu spät"),
    "step_signed": ("Contract signed", "Vertrag unterschrieben"),
    "step_internal_handoff_meeting": ("Internal handoff meeting (24 h)",
                                      "Internes Übergabemeeting (24 Std.)"),
    "step_intro_email": ("Intro email to customer (48 h)", "Vorstellungs-E-Mail (48 Std.)"),
    "step_joint_call": ("Joint handoff call (5 business days)",
                        "Gemeinsamer Übergabe-Call (5 Werktage)"),
    "step_kickoff": ("Implementation kickoff (7 days)", "Implementierungs-Kickoff (7 Tage)"),
    "step_first_cs_contact": ("First CS contact", "Erster CS-Kontakt"),
    "state_met": ("met", "eingehalten"),
    "state_breached": ("breached", "verletzt"),
    "state_pending": ("pending", "offen"),
    "state_overdue": ("overdue", "überfällig"),
    "record_step": ("Record", "Eintragen"),
    "when": ("When", "Wann"),
    "utc_offset": ("UTC offset", "UTC-Versatz"),
    "not_signed": ("The contract is not signed yet: record the signature to start the SLA "
                   "clock.", "Der Vertrag ist noch nicht unterschrieben: Unterschrift "
                   "eintragen, um die SLA-Uhr zu starten."),
    "ratings": ("Ratings", "Bewertungen"),
    "csm_rating": ("CSM's rating of the handoff", "Bewertung der Übergabe durch CSM"),
    "customer_rating": ("Customer survey", "Kundenumfrage"),
    "save": ("Save", "Speichern"),
    "hours_to_contact": ("Hours to first CS contact", "Stunden bis zum ersten CS-Kontakt"),
    "days_to_kickoff": ("Days to kickoff", "Tage bis zum Kickoff"),
    "sla_met_share": ("SLA steps met", "Eingehaltene SLA-Schritte"),
    "chart_title": ("Hours after signature, per step (line: due)",
                    "Stunden nach Unterschrift je Schritt (Linie: fällig)"),
    "events": ("Log", "Protokoll"),
    "team_metrics": ("Handoff quality", "Übergabequalität"),
    "team": ("Team", "Team"),
    "all_teams": ("all teams", "alle Teams"),
    "signed_deals": ("Signed deals", "Unterschriebene Deals"),
    "avg_completeness": ("Average completeness", "Durchschnittliche Vollständigkeit"),
    "avg_csm_rating": ("Average CSM rating", "Durchschnittliche CSM-Bewertung"),
    "avg_customer_rating": ("Average customer rating", "Durchschnittliche Kundenbewertung"),
    "below_target": ("Below target", "Unter Ziel"),
    "metric_avg_hours_to_first_cs_contact": ("hours to first CS contact (target 48 h)",
                                             "Stunden bis zum ersten CS-Kontakt (Ziel 48 Std.)"),
    "metric_avg_completeness": ("completeness (target 95 %)", "Vollständigkeit (Ziel 95 %)"),
    "metric_avg_customer_rating": ("customer rating (target 4.5)", "Kundenbewertung (Ziel 4,5)"),
    "metric_avg_csm_rating": ("CSM rating (target 4)", "CSM-Bewertung (Ziel 4)"),
    "metric_avg_days_to_kickoff": ("days to kickoff (target 7)", "Tage bis zum Kickoff (Ziel 7)"),
    "met_by_step": ("Share met per step", "Anteil eingehalten je Schritt"),
    "no_data": ("No data yet.", "Noch keine Daten."),
    "assign_csm": ("Assign CSM", "CSM zuweisen"),
    "csm_email": ("CSM's email", "E-Mail des CSM"),
    "back": ("Back", "Zurück"),
    "error": ("Error", "Fehler"),
    "audit": ("Audit trail", "Änderungsprotokoll"),
    "close": ("Close", "Schließen"),
}


def ui(key: str, lang: Lang, **values: Any) -> str:
    """The page word ``key`` in ``lang``, with ``{placeholders}`` filled.

    Raises:
        KeyError: ``key`` is not a known word (a typo in a template fails loudly).
    """
    en, de = _UI[key]
    text = de if lang == "de" else en
    return text.format(**values) if values else text


def keys() -> list[str]:
    """Every page word's key (for the completeness test)."""
    return list(_UI)
