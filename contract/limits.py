"""How long a resident's text may be, wherever it comes in (chat message, complaint, letter, suggestion).

A long letter to the hotline is normal; beyond this limit the resident is asked, in Chinese, to shorten or
split it, and nothing is cut silently.
"""

MAX_LETTER_CHARS = 5000
