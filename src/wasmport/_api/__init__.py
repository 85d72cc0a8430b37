"""TODO layer doc."""
