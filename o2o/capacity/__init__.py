"""capacity: one calendar of capacity per resource (pickup slots now; appointment slots, delivery windows and
technician visits later): slot times from weekly hours, and race-safe take and release of a slot's places."""
