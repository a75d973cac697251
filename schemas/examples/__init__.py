"""Example user schemas for `--schema` (see README, "Your own schema")."""
