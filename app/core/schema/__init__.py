"""Every table, as SQLAlchemy Core MetaData valid on SQLite (client cache) and Postgres (server).

One module per part of the system: ``types`` (exact money, quantities and UTC times on both
engines), ``base`` (the shared metadata and the sync registries), then the tables of the CRM,
inventory, sales and purchasing. Everything is importable from here: ``from app.core.schema import
metadata, party, Money``.
"""

from app.core.schema.base import (
    APPEND_ONLY,
    GUARDED,
    ROLES,
    SCOPES,
    SYNCED_TABLES,
    app_user,
    metadata,
    party_ref,
    synced_table,
)
from app.core.schema.crm import (
    BUYING_ROLES,
    CHANNELS,
    OPPORTUNITY_STAGES,
    activity,
    contact,
    contact_family,
    custom_field,
    lead,
    opportunity,
    party,
    party_share,
    saved_filter,
    service_case,
)
from app.core.schema.inventory import (
    COUNT_STATES,
    LOCATION_KINDS,
    MOVE_KINDS,
    PRODUCT_KINDS,
    WAREHOUSE_KINDS,
    location,
    product,
    product_barcode,
    product_category,
    product_uom,
    stock_count,
    stock_count_line,
    stock_level,
    stock_move,
    stock_valuation,
    warehouse,
)
from app.core.schema.purchasing import PURCHASE_STATES, purchase_order, purchase_order_line, receipt, receipt_line
from app.core.schema.sales import DELIVERY_STATES, ORDER_STATES, delivery, delivery_line, sales_order, sales_order_line
from app.core.schema.types import Coordinate, Money, Quantity, UtcDateTime, total, utcnow

assert set(SCOPES) == set(SYNCED_TABLES), "every synced table needs a scope"

__all__ = [
    "APPEND_ONLY", "BUYING_ROLES", "CHANNELS", "COUNT_STATES", "DELIVERY_STATES", "GUARDED", "LOCATION_KINDS",
    "MOVE_KINDS", "OPPORTUNITY_STAGES", "ORDER_STATES", "PRODUCT_KINDS", "PURCHASE_STATES", "ROLES", "SCOPES",
    "SYNCED_TABLES", "WAREHOUSE_KINDS", "Coordinate", "Money", "Quantity", "UtcDateTime", "activity", "app_user",
    "contact", "contact_family", "custom_field", "delivery", "delivery_line", "lead", "location", "metadata",
    "opportunity", "party", "party_ref", "party_share", "product", "product_barcode", "product_category",
    "product_uom", "purchase_order", "purchase_order_line", "receipt", "receipt_line", "sales_order",
    "sales_order_line", "saved_filter", "service_case", "stock_count", "stock_count_line", "stock_level",
    "stock_move", "stock_valuation", "synced_table", "total", "utcnow", "warehouse",
]
