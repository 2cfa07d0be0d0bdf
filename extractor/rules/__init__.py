"""Lexicons for how things are said, in English and German: names and titles (``people``,
``titles.yaml``, ``names.yaml``), business systems, role labels and title-to-role maps
(``stakeholders.yaml``), refusals, hedges, hypotheticals, retractions and unknowns
(``guards.yaml``), promise phrasing (``commitments.yaml``), and the cue words of each key
(``account.yaml`` ... ``risks.yaml``).

They no longer assign keys by themselves: the cue words are features the learned sentence
classifier weighs (:func:`extractor.classifier.cue_vector`), and the rest serve the deal
context, the resolver and the conflict finder.
"""
