"""What the dashboard knows, read once from the build through ``geo.store``: the view state and its link
(:mod:`.query`), the typed records (:mod:`.records`), the view model (:mod:`.viewmodel`) with its time index
(:mod:`.timeindex`) and published surveys (:mod:`.published`), and words for codes (:mod:`.readable`).

The lowest room of the dashboard: it imports no other room, and every room reads it.
"""
