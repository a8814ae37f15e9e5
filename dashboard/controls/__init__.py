"""The controls of a view: the choices each offers and the state after an event (:mod:`.sync`), and the
controls of time — the period slider with Play, the change map's dates, the compared district (:mod:`.timeline`).

Public face: both modules. Reads :mod:`dashboard.state` only.
"""
