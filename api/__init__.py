"""API gateway and case store of 六安政务智能助手."""
