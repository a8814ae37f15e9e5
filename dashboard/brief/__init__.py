"""The printable brief of a view: the document (:mod:`.document`), its map as SVG (:mod:`.mapsvg`), its reading
aids (:mod:`.parts`), its legend (:mod:`.legend`), Chromium's rendering (:mod:`.render`) and the server's routes (:mod:`.routes`).

Public face: :mod:`.routes` (the server) and :mod:`.document` (the ``qala brief`` command).
"""
