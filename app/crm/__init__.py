"""CRM: customers, contacts, leads, opportunities, activities, cases, the 360° view (no Qt)."""
