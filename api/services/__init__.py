"""What the routes call: the gateway's work on the case store and the handoff hub, free of HTTP.

Routes parse the request, authorise the caller and call one of these with the request's session.
"""
