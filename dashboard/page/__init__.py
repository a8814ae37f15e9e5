"""The page itself: its layout (:mod:`.layout`), the callbacks that wire its inputs to the views
(:mod:`.callbacks`), and the disclosure reports it links (:mod:`.disclosure`). Only :mod:`dashboard.app` imports it.
"""
