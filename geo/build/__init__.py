"""`make data`: every layer built from the sources, in one direction, written atomically with a manifest."""
