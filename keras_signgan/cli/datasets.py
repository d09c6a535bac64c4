"""`signgan datasets ...` commands."""
