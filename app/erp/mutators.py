"""Inventory, sales and purchasing writes as sync mutators: importing this module registers them.

Stock is never an absolute number two clients overwrite: each change is an appended move
(app.erp.stock), and on hand = Σ moves in − Σ moves out.
"""

from app.erp import catalog, counts, purchasing, receiving, sales, shipping, stock

__all__ = ["catalog", "counts", "purchasing", "receiving", "sales", "shipping", "stock"]
