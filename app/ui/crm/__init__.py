"""The CRM screens."""
