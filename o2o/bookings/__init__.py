"""bookings: bookable services (duration, seats per slot, weekly schedule with exceptions), the resources booked
with them (a teacher, a room, a stylist, an agent: never in two places at once) and the customers' bookings.
Slots and seats live in the one capacity calendar (o2o.capacity)."""
