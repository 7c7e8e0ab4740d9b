"""The web platform: server-rendered pages where each role sees what it may.

:func:`eduquality.web.app.create_app` builds the FastAPI application; authorisation lives in
:mod:`eduquality.store.policy` (one policy, applied in the data layer).
"""
