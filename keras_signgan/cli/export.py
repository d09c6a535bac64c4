"""`signgan export` command."""
