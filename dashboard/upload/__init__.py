"""A researcher's own file on the page: dropped, recognised, confirmed in a column form, joined in a child
process through the release gate, shown per city, and handed back as a bundle.

Public face: :mod:`.callbacks` (the page's wiring), :mod:`.form` (the form's layout) and :mod:`.keep` (what the
server keeps, and for how long). This file imports nothing, so an upload's child process that imports
:mod:`.job` starts without Dash.
"""
