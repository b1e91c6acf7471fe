"""community: customers follow merchants, merchants publish posts (news, a deal, an event, photos, a short
video), followers get a feed, in-app notifications and (where they chose it) an email; the data of the
merchant's micro-site and its share card."""
