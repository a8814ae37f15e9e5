"""Reading and writing: the sources catalogue, acquisition, vector readers, researchers' files, atomic writers."""
