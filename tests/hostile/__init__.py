"""Fault-injection test site (see server.py and site.py)."""
