"""Custom Rasa NLU components (loaded by config.yml as `bot.<module>.<Class>`)."""
