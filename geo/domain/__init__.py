"""The domain: names, periods, boundary vintages and lineage, districts, banks, figures, places, perception."""
