"""What crosses between the gateway (`api/`), the Rasa NLU components (`bot/`) and the action server
(`actions/`): case kinds and their resident-facing texts, personal-data rules, knowledge matches, case
receipts and the star parser.

Both Python environments import it (the gateway's current libraries and Rasa 3.6's pinned ones), so it
uses the standard library only. Documented in docs/architecture.md ("The shared contract").
"""
