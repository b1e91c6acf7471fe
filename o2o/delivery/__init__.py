"""Delivery: zones and fees per store, delivery orders (checkout with a fee adjustment, a delivery
code the customer shows the courier, a failed-delivery path), couriers on shift with their positions,
and the dispatcher's rounds behind one swappable assignment function (dispatch.py; greedy nearest
courier today, the routing solver later)."""
