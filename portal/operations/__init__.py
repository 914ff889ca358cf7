"""Operating the portal: backing up and restoring the database and the evidence store."""
