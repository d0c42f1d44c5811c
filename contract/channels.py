"""Where a resident's message came from; the gateway tags every message it forwards to Rasa with one."""

CHANNELS: tuple[str, ...] = ("api", "web", "wechat", "hotline", "rasa")
