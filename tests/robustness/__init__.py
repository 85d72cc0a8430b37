"""Hostile input, boundaries, load and faults."""
