"""Custom actions of the assistant, served by rasa-sdk: `python -m rasa_sdk --actions actions`."""
