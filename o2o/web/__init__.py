"""web: the pages (templates + htmx): customer, merchant console, counter (online and offline).
Above every domain app; no domain app imports it."""
