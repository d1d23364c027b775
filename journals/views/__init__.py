"""The journal's pages, one module per part (entries, evidence, prompts, assessments)."""
