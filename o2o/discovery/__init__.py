"""discovery: nearby search (H3 cell index + exact distance), text search, open-now, and the
search index rows that follow the stores."""
