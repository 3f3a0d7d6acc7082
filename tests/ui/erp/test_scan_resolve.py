"""What a scanned code stands for, and the receipt draft's checks, without a screen: a box's barcode
counts its unit's factor, a SKU counts one, a bin code is found whatever its case, an archived
barcode or a removed unit is no code; typed numbers keep their sign; an order's tolerance is
checked on each scan and typed quantity."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

import app.mutators  # noqa: F401  (registers every mutator)
from app.core import mutations
from app.core.ids import new_id
from app.core.schema import SYNCED_TABLES, metadata
from app.core.tx import Tx
from app.ui.erp.adjust import counted
from app.ui.erp.receipt_draft import Order, OrderLine, ReceiptDraft
from app.ui.erp.scan_resolve import (
    ScannedLocation,
    ScannedProduct,
    adjustment_location,
    first_bin,
    resolve,
    typed_quantity,
)

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def cache(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'cache.sqlite'}")
    metadata.create_all(engine, tables=[metadata.tables[n] for n in SYNCED_TABLES])

    def run(mutation: str, /, **args: Any) -> None:
        clean = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in args.items()}
        with engine.begin() as conn:
            tx = Tx(conn, side="client", user_id=None, now=NOW)
            mutations.get(mutation, mutations.latest_version(mutation)).run(tx, clean)

    ids = {"WH": new_id(), "A-01": new_id(), "ADJ": new_id(), "BOLT": new_id()}
    run("erp.warehouse.create", id=ids["WH"], code="SH", name="上海仓")
    run("erp.location.create", id=ids["A-01"], code="A-01", name="货位 A-01", warehouse_id=ids["WH"])
    run("erp.location.create", id=ids["ADJ"], code="ADJ", name="盘点差异", kind="adjustment")
    run("erp.product.create", id=ids["BOLT"], sku="BOLT-M8", name="六角螺栓 M8", barcodes=["690001"])
    run("erp.product.unit.set", product_id=ids["BOLT"], uom="box", factor="12")
    run("erp.product.barcode.add", product_id=ids["BOLT"], barcode="690012", uom="box")
    run("erp.product.barcode.add", product_id=ids["BOLT"], barcode="690099", uom="box")
    run("erp.product.barcode.remove", barcode="690099")
    yield engine, ids, run
    engine.dispose()


def test_codes_resolve_to_products_with_their_unit_factor_and_to_locations(cache):
    engine, ids, run = cache
    with engine.connect() as conn:
        box, piece, sku = resolve(conn, "690012"), resolve(conn, " 690001 "), resolve(conn, "ＢＯＬＴ-M8")
        assert isinstance(box, ScannedProduct) and (box.id, box.unit, box.factor) == (ids["BOLT"], "box", 12)
        assert isinstance(piece, ScannedProduct) and (piece.unit, piece.factor) == ("pcs", 1)
        assert isinstance(sku, ScannedProduct) and sku.factor == 1, "full-width input from an IME is folded"
        place = resolve(conn, "a-01")
        assert isinstance(place, ScannedLocation) and place.id == ids["A-01"] and place.kind == "internal"
        assert resolve(conn, "690099") is None, "a removed barcode is no code"
        assert resolve(conn, "PO-2026-000001", documents=("purchase_order",)) is None
        assert first_bin(conn) == place and adjustment_location(conn).id == ids["ADJ"]  # type: ignore[union-attr]
    run("erp.product.unit.set", product_id=ids["BOLT"], uom="box", factor=None)
    with engine.connect() as conn:
        assert resolve(conn, "690012") is None, "a barcode of a unit the product no longer has is refused"


def test_typed_numbers_keep_their_sign_and_an_adjustment_reads_them_unambiguously():
    assert typed_quantity("12") == 12 and typed_quantity("-2") == -2 and typed_quantity("１.５") == Decimal("1.5")
    assert typed_quantity("A-01") is None and typed_quantity("") is None
    assert counted(Decimal(7), "7").change(Decimal(10)) == -3  # found 7 of 10
    assert counted(Decimal(3), "+3").change(Decimal(10)) == 3
    assert counted(Decimal(-2), "-2").change(Decimal(10)) == -2


def test_the_draft_refuses_what_the_order_does_not_allow():
    wh, line_id, bolt = new_id(), new_id(), new_id()
    bin_ = ScannedLocation(new_id(), "A-01", "A-01", "internal", wh)
    other_wh_bin = ScannedLocation(new_id(), "B-01", "B-01", "internal", new_id())
    order = Order(new_id(), "PO-1", "confirmed", wh, "宁波", (
        OrderLine(line_id, bolt, "BOLT", Decimal(24), Decimal(20), Decimal("26.4")),))
    draft = ReceiptDraft(default_bin=bin_)
    assert draft.set_order(order, bin_).ok
    assert not draft.set_bin(other_wh_bin).ok
    box = ScannedProduct(bolt, "BOLT", "bolt", "pcs", "box", Decimal(12), "stocked")
    assert not draft.scan_product(box).ok, "20 + 12 > 26.4"
    piece = ScannedProduct(bolt, "BOLT", "bolt", "pcs", "pcs", Decimal(1), "stocked")
    assert draft.scan_product(piece).ok and draft.set_qty(Decimal("6.4")).ok
    assert not draft.set_qty(Decimal("6.5")).ok and draft.lines[0].qty == Decimal("6.4")
    assert draft.left(order.lines[0]) == 0
    args = draft.post_args(NOW)
    assert args["order_id"] == str(order.id) and args["lines"][0]["order_line_id"] == str(line_id)
    stranger = ScannedProduct(new_id(), "NUT", "nut", "pcs", "pcs", Decimal(1), "stocked")
    assert not draft.scan_product(stranger).ok
    assert draft.drop_current().ok and draft.lines == [] and not draft.drop_current().ok
