"""Yiti (一体): integrated CRM + ERP suite."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("yiti")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
