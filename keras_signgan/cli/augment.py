"""`signgan augment` command."""
