"""`signgan fit` command."""
