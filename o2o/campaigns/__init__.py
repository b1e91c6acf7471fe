"""campaigns: a merchant's campaigns and their placements (flyer, poster, table tent, window, social, video, partner),
each with a short code, short link, QR and print sheets; the scans of `/q/<code>` with a first-party visitor cookie;
and the attribution of orders, payments, redemptions and reviews to placements (first or last touch, in a window)."""
