"""The sync tests' signed-in clients (make_client) for the ERP's end-to-end tests."""

from tests.integration.sync.conftest import make_client  # noqa: F401  (the fixture)
