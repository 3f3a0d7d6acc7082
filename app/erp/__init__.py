"""ERP: products, inventory, sales, purchasing, production, finance; planning engines (no Qt)."""
