"""Warehouse and selling screens of the ERP: picking, receiving, counting, stock."""
