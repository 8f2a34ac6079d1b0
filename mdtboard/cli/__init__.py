"""Command-line entry points (scriptable: no prompts without a terminal)."""
