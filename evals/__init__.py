"""The eval harness: score briefs against labelled deals (handoff-spec section 4)."""
