"""The extraction chain: language-model adapters, grounding, gaps, conflicts, Q&A, rules backend."""
