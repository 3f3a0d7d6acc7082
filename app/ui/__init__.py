"""The PySide6 desktop client: the only package that imports Qt."""
