"""`signgan evaluate` command."""
