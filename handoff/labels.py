"""Display labels in German and English for every field key, category and brief section.

Keys stay stable English identifiers (``handoff-spec.md`` section 1); only what a reader
sees is translated. The exports and the web pages take every visible word from here, so a
label is changed in one place and the two languages cannot drift apart: a test checks that
every key of :data:`handoff.domain.CATEGORIES` has both labels.
"""

from __future__ import annotations

from typing import Literal

from handoff.domain import ALL_KEYS, CATEGORY_LABELS
from handoff.errors import InputError

Lang = Literal["de", "en"]
LANGUAGES: tuple[Lang, ...] = ("de", "en")
# The key of a gap made from a question CS asked that the sources did not answer: it is not
# a field of the schema, so it is labelled here and never becomes an item.
QUESTION_GAP_KEY = "question"

# (en, de) per field key, in the order of CATEGORIES.
_FIELDS: dict[str, tuple[str, str]] = {
    "account.industry": ("Industry", "Branche"),
    "account.market_position": ("Market position", "Marktposition"),
    "account.company_size": ("Company size", "Unternehmensgröße"),
    "account.locations": ("Locations", "Standorte"),
    "account.org_structure": ("Organisation", "Organisationsstruktur"),
    "account.business_model": ("Business model", "Geschäftsmodell"),
    "account.challenges": ("Current challenges", "Aktuelle Herausforderungen"),
    "account.priorities": ("Priorities", "Prioritäten"),
    "account.competitive_pressure": ("Competitive pressure", "Wettbewerbsdruck"),
    "account.growth_plans": ("Growth plans", "Wachstumspläne"),
    "account.tech_landscape": ("Technology landscape", "IT-Landschaft"),
    "account.lead_source": ("How they found us", "Wie der Kontakt entstand"),
    "account.sales_cycle": ("Sales cycle", "Verkaufszyklus"),
    "account.competitors_evaluated": ("Alternatives evaluated", "Geprüfte Alternativen"),
    "account.why_us": ("Why they chose us", "Warum sie sich für uns entschieden"),
    "account.why_now": ("Why now", "Warum gerade jetzt"),
    "stakeholders.executive_sponsor": ("Executive sponsor", "Executive Sponsor"),
    "stakeholders.champion": ("Champion", "Champion"),
    "stakeholders.economic_buyer": ("Economic buyer", "Budgetfreigabe"),
    "stakeholders.technical_evaluator": ("Technical evaluator", "Technische Bewertung"),
    "stakeholders.end_user": ("End users", "Anwender"),
    "stakeholders.influencer": ("Influencer", "Einflussnehmer"),
    "stakeholders.blocker": ("Blocker", "Bremser"),
    "goals.primary_goal": ("Primary goal", "Hauptziel"),
    "goals.success_metric": ("Success criteria", "Erfolgskriterien"),
    "goals.roi_expectation": ("ROI expectations", "ROI-Erwartung"),
    "goals.adoption_target": ("Adoption target", "Nutzungsziel"),
    "goals.results_timeframe": ("Timeframe for results", "Zeitrahmen für Ergebnisse"),
    "goals.personal_win": ("Personal wins", "Persönlicher Erfolg"),
    "commitments.scope": ("Features and scope", "Funktionen und Umfang"),
    "commitments.service": ("Services, training and support", "Services, Schulung und Support"),
    "commitments.timeline": ("Promised timeline", "Zugesagter Zeitplan"),
    "commitments.commercial": ("Commercial terms", "Kaufmännische Konditionen"),
    "commitments.verbal": ("Verbal promises", "Mündliche Zusagen"),
    "technical.systems": ("Existing systems", "Bestehende Systeme"),
    "technical.integration": ("Integrations", "Integrationen"),
    "technical.data_migration": ("Data migration", "Datenmigration"),
    "technical.security_compliance": ("Security and compliance", "Sicherheit und Compliance"),
    "technical.technical_contact": ("Technical contacts", "Technische Ansprechpartner"),
    "technical.poc_result": ("Proof of concept", "Proof of Concept"),
    "technical.resolved_objection": ("Resolved technical objections",
                                     "Ausgeräumte technische Einwände"),
    "technical.open_question": ("Open technical questions", "Offene technische Fragen"),
    "technical.security_review": ("Security review", "Sicherheitsprüfung"),
    "implementation.start_date": ("Start date", "Starttermin"),
    "implementation.milestone": ("Milestones", "Meilensteine"),
    "implementation.go_live_date": ("Go-live target", "Go-live-Ziel"),
    "implementation.training_plan": ("Training plan", "Schulungsplan"),
    "implementation.customer_resource": ("Customer resources", "Ressourcen beim Kunden"),
    "implementation.dependency": ("Dependencies", "Abhängigkeiten"),
    "implementation.constraint": ("Constraints", "Einschränkungen"),
    "implementation.timeline_risk": ("Risks to the timeline", "Risiken für den Zeitplan"),
    "risks.objection": ("Objections and handling", "Einwände und ihre Behandlung"),
    "risks.competitive_concern": ("Competitive concerns", "Wettbewerbsbedenken"),
    "risks.political_risk": ("Political and organisational risks",
                             "Politische und organisatorische Risiken"),
    "risks.churn_indicator": ("Churn warning signs", "Warnsignale für Abwanderung"),
    "risks.budget_constraint": ("Budget constraints", "Budgetgrenzen"),
    "risks.unrealistic_expectation": ("Unrealistic expectations", "Unrealistische Erwartungen"),
}

# Section headings of the brief documents (DOCX, Markdown, web).
_SECTIONS: dict[str, tuple[str, str]] = {
    "title": ("Handoff brief", "Übergabe-Briefing"),
    "customer_overview": ("Customer overview", "Kundenüberblick"),
    "stakeholders": ("Stakeholders", "Stakeholder"),
    "goals": ("Business goals", "Geschäftsziele"),
    "commitments": ("Scope and commitments", "Umfang und Zusagen"),
    "technical": ("Technical requirements", "Technische Anforderungen"),
    "implementation": ("Implementation plan", "Implementierungsplan"),
    "risks": ("Risk factors", "Risikofaktoren"),
    "conflicts": ("Conflicts", "Widersprüche"),
    "gaps": ("Open gaps", "Offene Lücken"),
    "answered": ("Answered questions", "Beantwortete Fragen"),
    "completeness": ("Completeness", "Vollständigkeit"),
    "sources": ("Sources", "Quellen"),
    "summary": ("Summary", "Zusammenfassung"),
    "key_facts": ("Key facts", "Eckdaten"),
    "stakeholder_map": ("Stakeholder map", "Stakeholder-Übersicht"),
    "open_promises": ("Open promises that need CS validation",
                      "Offene Zusagen, die CS prüfen muss"),
    "top_risks": ("Top risks", "Wichtigste Risiken"),
    "missing_contradictory": ("Missing and contradictory", "Fehlend und widersprüchlich"),
    "details": ("Details", "Details"),
    "contents": ("Contents", "Inhalt"),
}

# Short words and phrases used around the content.
_TERMS: dict[str, tuple[str, str]] = {
    "verbal": ("verbal", "mündlich"),
    "needs_validation": ("needs CS validation", "muss von CS geprüft werden"),
    "model_warnings": (
        "The model failed on part of this brief; those sections show rule-based items only",
        "Das Modell ist an Teilen dieser Übergabe gescheitert; dort stehen nur regelbasierte "
        "Einträge"),
    "unresolved": ("still open per the sources", "laut Quellen noch offen"),
    "unverified": ("unverified", "nicht belegt"),
    "corrected": ("corrected by rep", "vom Vertrieb korrigiert"),
    "confirmed": ("confirmed by rep", "vom Vertrieb bestätigt"),
    "customer": ("Customer", "Kunde"),
    "deal": ("Deal", "Deal"),
    "deal_id": ("Deal ID", "Deal-ID"),
    "created": ("Created", "Erstellt"),
    "language": ("Language", "Sprache"),
    "source_count": ("Source documents", "Quelldokumente"),
    "close_date": ("Purchase / close date", "Kauf- / Abschlussdatum"),
    "contract_value": ("Contract value", "Vertragswert"),
    "not_recorded": ("not in the sources", "nicht in den Quellen"),
    "role": ("Role", "Rolle"),
    "name": ("Name", "Name"),
    "job_title": ("Title", "Position"),
    "stakeholder_goals": ("Goals", "Ziele"),
    "stakeholder_notes": ("Advocacy and concerns", "Fürsprache und Bedenken"),
    "concerns": ("Concerns", "Bedenken"),
    "engagement": ("Engagement", "Einbindung"),
    "communication": ("Prefers", "Bevorzugt"),
    "why_advocated": ("Why they backed us", "Warum für uns"),
    "promised_by": ("promised by", "zugesagt von"),
    "promised_to": ("to", "an"),
    "said_on": ("said on", "gesagt am"),
    "due": ("due", "fällig"),
    "raised_by": ("raised by", "vorgebracht von"),
    "handling": ("handled by", "behandelt durch"),
    "still_open": ("still open", "noch offen"),
    "resolved": ("resolved", "ausgeräumt"),
    "no_items": ("Nothing in the sources yet.", "In den Quellen noch nichts gefunden."),
    "no_conflicts": ("No conflicts found.", "Keine Widersprüche gefunden."),
    "no_gaps": ("No open gaps.", "Keine offenen Lücken."),
    "no_sources": ("No sourced statements.", "Keine belegten Aussagen."),
    "gap_topic": ("Topic", "Thema"),
    "gap_reason": ("Why open", "Grund"),
    "question": ("Question for the rep", "Frage an den Vertrieb"),
    "answer": ("Answer", "Antwort"),
    "score": ("Completeness score", "Vollständigkeitswert"),
    "target": ("target 95% or more", "Ziel: mindestens 95 %"),
    "missing_required": ("Required information still missing",
                         "Noch fehlende Pflichtangaben"),
    "legend": (
        "Numbers in brackets point to the quotes under Sources. Statements marked "
        "unverified could not be found in any source and must be checked before use.",
        "Zahlen in eckigen Klammern verweisen auf die Zitate unter Quellen. Als nicht belegt "
        "markierte Aussagen wurden in keiner Quelle gefunden und sind vor der Verwendung zu "
        "prüfen.",
    ),
    "standard_offering": ("standard offering", "Standardangebot"),
    "sources_disagree": ("Sources disagree", "Quellen widersprechen sich"),
    "beyond_offering": ("Beyond the standard offering", "Über das Standardangebot hinaus"),
    "gap_missing": ("missing", "fehlt"),
    "gap_verbal_only": ("only a verbal promise", "nur mündlich zugesagt"),
    "gap_low_confidence": ("uncertain", "unsicher"),
    "gap_ungrounded": ("no source found", "keine Quelle gefunden"),
    "gap_unresolved": ("still open per the sources", "laut Quellen noch offen"),
    "page": ("Page", "Seite"),
    "doc_subject": ("Sales-to-CS handoff", "Sales-to-CS-Übergabe"),
    "topic_date": ("date", "Termin"),
    "topic_duration": ("duration", "Dauer"),
    "topic_money": ("price", "Preis"),
    "topic_tier": ("support tier", "Support-Stufe"),
    "topic_integration": ("integration", "Integration"),
    "topic_person": ("person", "Person"),
    "topic_roadmap": ("roadmap", "Roadmap"),
    "topic_training": ("training", "Schulung"),
    "topic_go_live": ("go-live / implementation time", "Go-Live / Implementierungsdauer"),
    "topic_start": ("start date", "Starttermin"),
    "topic_price": ("price", "Preis"),
    "topic_seats": ("number of users", "Anzahl Nutzer"),
    "topic_discount": ("discount", "Rabatt"),
    "topic_implementation_weeks": ("implementation time", "Implementierungsdauer"),
    "topic_support_tier": ("support tier", "Support-Stufe"),
    "topic_support": ("support", "Support"),
    "topic_sla": ("service level", "Service-Level"),
    "topic_scope": ("scope", "Leistungsumfang"),
    "topic_migration": ("data migration", "Datenmigration"),
    "topic_data_migration": ("data migration", "Datenmigration"),
    "topic_security": ("security", "Sicherheit"),
    "topic_term": ("contract term", "Vertragslaufzeit"),
    "topic_payment": ("payment terms", "Zahlungsbedingungen"),
    "topic_go_live_date": ("go-live date", "Go-Live-Termin"),
    "topic_start_date": ("start date", "Starttermin"),
    # The summary's key facts.
    "fact_customer": ("Customer", "Kunde"),
    "fact_contract": ("Contract value and term", "Vertragswert und Laufzeit"),
    "fact_signer": ("Signer", "Unterzeichner"),
    "fact_go_live": ("Go-live", "Go-Live"),
    "fact_kickoff": ("Kickoff", "Kickoff"),
    "fact_support_tier": ("Support tier", "Support-Stufe"),
    "fact_seats": ("Seats", "Nutzer"),
    "per_year": ("per year", "pro Jahr"),
    "per_month": ("per month", "pro Monat"),
    "term_months": ("{n}-month term", "Laufzeit {n} Monate"),
    "seats_count": ("{n} users", "{n} Nutzer"),
    "contradictory": ("contradictory", "widersprüchlich"),
    "not_agreed": ("not agreed yet", "noch nicht vereinbart"),
    "more_risks": ("{n} more under Risks", "{n} weitere unter Risiken"),
    "no_promises": ("No open promises.", "Keine offenen Zusagen."),
    "no_risks": ("No risks in the sources.", "Keine Risiken in den Quellen."),
    "no_people": ("No stakeholders in the sources yet.",
                  "In den Quellen noch keine Stakeholder."),
    "quotes_count": ("{n} quotes", "{n} Zitate"),
    "quote_one": ("1 quote", "1 Zitat"),
    "asked_question": ("Question from CS", "Frage von CS"),
    "conflict_disagree_generic": ("The sources disagree on the {topic}.",
                                  "Die Quellen widersprechen sich beim Thema {topic}."),
    "conflict_beyond_generic": ("A promise goes beyond the standard offering ({topic}).",
                                "Eine Zusage geht über das Standardangebot hinaus ({topic})."),
    "resolved_holds": ("Resolved: {side} holds", "Geklärt: {side} gilt"),
    "resolved_note": ("Note", "Notiz"),
    "resolved_by": ("resolved by {who}", "geklärt von {who}"),
    "side": ("side {n}", "Seite {n}"),
    "neither_side": ("neither side", "keine Seite"),
    "hours_short": ("{n} h", "{n} Std."),
}


def resolve_lang(lang: str | None, fallback: str = "en") -> Lang:
    """Pick the display language from an explicit choice or a fallback.

    Args:
        lang: ``"de"``, ``"en"`` or a tag such as ``"de-DE"``; ``None`` uses ``fallback``.
        fallback: The brief's own language, used when ``lang`` is not given.

    Returns:
        ``"de"`` or ``"en"``.

    Raises:
        InputError: ``lang`` names a language the product does not write.
    """
    chosen = (lang or fallback or "en").strip().lower().replace("_", "-").split("-", 1)[0]
    if chosen == "de":
        return "de"
    if chosen == "en":
        return "en"
    if lang is None:
        return "en"  # an unknown brief language falls back instead of failing an export
    raise InputError(f"unsupported language {lang!r}; choose 'de' or 'en'")


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang == "de" else pair[0]


def field_label(key: str, lang: Lang) -> str:
    """The display label of a ``category.field`` key.

    Raises:
        KeyError: the key is not part of the schema.
    """
    return _pick(_FIELDS[key], lang)


def category_label(category: str, lang: Lang) -> str:
    """The display label of one of the seven categories.

    Raises:
        KeyError: the category is unknown.
    """
    return CATEGORY_LABELS[category][lang]


def section_label(section: str, lang: Lang) -> str:
    """The heading of a brief section (``customer_overview``, ``sources``, ...).

    Raises:
        KeyError: the section is unknown.
    """
    return _pick(_SECTIONS[section], lang)


def term(name: str, lang: Lang) -> str:
    """A short phrase used around the content, such as ``unverified`` or ``(verbal)``.

    Raises:
        KeyError: the term is unknown.
    """
    return _pick(_TERMS[name], lang)


def topic_label(topic: str, lang: Lang) -> str:
    """The display word of a conflict topic; an unknown topic id is shown as words."""
    pair = _TERMS.get(f"topic_{topic}")
    return _pick(pair, lang) if pair else topic.replace("_", " ")


def term_with(name: str, lang: Lang, **values: object) -> str:
    """A term with ``{placeholders}`` filled (``term_with("seats_count", "de", n=150)``).

    Raises:
        KeyError: the term is unknown.
    """
    return term(name, lang).format(**values)


def all_labels() -> dict[str, dict[str, dict[str, str]]]:
    """Every label in both languages, for JSON consumers and the web pages.

    Returns:
        ``{"categories"|"fields"|"sections"|"terms": {key: {"de": ..., "en": ...}}}``.
    """
    def both(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
        return {k: {"en": en, "de": de} for k, (en, de) in table.items()}

    return {
        "categories": {k: dict(v) for k, v in CATEGORY_LABELS.items()},
        "fields": both(_FIELDS),
        "sections": both(_SECTIONS),
        "terms": both(_TERMS),
    }


def _check_complete() -> None:
    """Fail at import when a schema key has no label, so a new key cannot ship unlabelled."""
    missing = [k for k in ALL_KEYS if k not in _FIELDS]
    if missing:  # pragma: no cover - guards future edits of domain.CATEGORIES
        raise RuntimeError(f"labels missing for {missing}")


_check_complete()
