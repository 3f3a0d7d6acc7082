"""Shared core of client and server: schema, ids, money, errors, i18n, formatting, wire models.

Imports nothing else of ours, and no Qt, httpx or FastAPI.
"""
