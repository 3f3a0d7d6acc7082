"""Products in and out of spreadsheets (CSV or .xlsx, read and written by app.core.sheets).

An import is planned before anything is written: every row becomes erp.product.create's
arguments (barcodes included), with row-level errors (row number as the spreadsheet shows it,
column, reason). A row whose SKU or barcode an existing product or an earlier row already has is
flagged and skipped, unless the user chooses to update that product: its empty fields are filled
from the row through erp.product.update, and barcodes no product has are added to it. The caller
queues the planned mutations, all in one cache transaction, only when no row has an error.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from app.core.i18n import N_, _
from app.core.ids import new_id
from app.core.schema import metadata
from app.core.sheets import RowError, Sheet
from app.erp.catalog import ProductCreate

Decision = Literal["import", "skip", "merge"]
CREATE, UPDATE, ADD_BARCODE = "erp.product.create", "erp.product.update", "erp.product.barcode.add"


@dataclass(frozen=True)
class Column:
    """A field a product import can fill: its label (a msgid) and the header names it answers to."""

    name: str
    label: str
    aliases: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return _(self.label)


COLUMNS: tuple[Column, ...] = (
    Column("sku", N_("SKU"), ("sku", "code", "item code", "product code", "编码", "货号", "产品编码", "商品编码",
                              "物料编码", "料号")),
    Column("name", N_("Name"), ("name", "product", "product name", "名称", "品名", "产品名称", "商品名称")),
    Column("category", N_("Category"), ("category", "category code", "类别", "分类", "产品分类", "品类")),
    Column("kind", N_("Kind"), ("kind", "type", "product type", "类型", "产品类型")),
    Column("uom", N_("Unit"), ("unit", "uom", "单位", "计量单位")),
    Column("list_price", N_("List price"), ("list price", "price", "售价", "价格", "单价", "标准售价")),
    Column("standard_cost", N_("Standard cost"), ("standard cost", "cost", "成本", "标准成本")),
    Column("barcodes", N_("Barcodes"), ("barcode", "barcodes", "ean", "条码", "条形码")),
    Column("supplier", N_("Default supplier"), ("supplier", "default supplier", "vendor", "供应商", "默认供应商")),
    Column("lead_time_days", N_("Lead time (days)"), ("lead time", "lead time days", "交期", "提前期",
                                                      "采购周期", "交货期")),
    Column("min_order_qty", N_("Minimum order qty"), ("min order qty", "minimum order qty", "moq", "最小起订量",
                                                      "起订量")),
    Column("order_multiple", N_("Order multiple"), ("order multiple", "订货倍数", "包装倍数")),
    Column("reorder_point", N_("Reorder point"), ("reorder point", "再订货点", "订货点")),
    Column("safety_stock", N_("Safety stock"), ("safety stock", "安全库存")),
    Column("abc_class", N_("ABC class"), ("abc", "abc class", "abc分类", "abc 分类")),
    Column("notes", N_("Notes"), ("notes", "note", "remarks", "备注", "说明")),
)
_BY_NAME = {c.name: c for c in COLUMNS}
_NUMBERS = ("list_price", "standard_cost", "min_order_qty", "order_multiple", "reorder_point", "safety_stock")
_KIND_WORDS = {"stocked": ("库存", "库存品", "库存商品", "stock"), "consumable": ("消耗品", "耗材"),
               "service": ("服务", "劳务")}
#: create arguments an update never fills (the existing product keeps its own)
_NOT_FILLED = frozenset({"id", "sku", "name", "kind", "uom", "barcodes"})
_REASONS = {"missing": N_("required"), "string_too_short": N_("required"), "string_too_long": N_("too long"),
            "literal_error": N_("not an allowed value"), "decimal_parsing": N_("not a number"),
            "int_parsing": N_("not a whole number"), "int_from_float": N_("not a whole number"),
            "greater_than_equal": N_("must not be negative"), "greater_than": N_("must be more than zero"),
            "less_than_equal": N_("too large"), "decimal_max_places": N_("too many decimals"),
            "decimal_max_digits": N_("too large")}
_SEPARATORS = re.compile(r"[,，;；|\s]+")


@dataclass
class PlannedProduct:
    row: int
    values: dict[str, str]
    args: dict[str, Any] | None
    errors: list[RowError] = field(default_factory=list)
    #: what it duplicates, as the user reads it ("SKU A-100: 螺栓 M8", "same as row 3")
    duplicates: list[str] = field(default_factory=list)
    #: the existing product an update would fill, its name, and that product as the plan read it
    merge_into: uuid.UUID | None = None
    merge_name: str = ""
    existing: dict[str, Any] | None = None
    decision: Decision = "import"


@dataclass
class ProductPlan:
    rows: list[PlannedProduct]
    #: barcodes a live product already has (an update adds only the others)
    known_barcodes: frozenset[str] = frozenset()

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, decision: Decision) -> int:
        return sum(1 for r in self.rows if r.decision == decision)

    def mutations(self) -> list[tuple[str, dict[str, Any]]]:
        """The mutations to queue, in file order (none while any row has an error): a create per
        imported row; per updated row, an update that fills something and a barcode add per new code."""
        if not self.ok:
            return []
        out: list[tuple[str, dict[str, Any]]] = []
        filled: dict[uuid.UUID, set[str]] = {}
        added: set[str] = set(self.known_barcodes)
        for r in self.rows:
            if r.decision == "skip" or r.args is None:
                continue
            if r.decision != "merge" or r.merge_into is None or r.existing is None:
                out.append((CREATE, r.args))
                added.update(r.args.get("barcodes", ()))
                continue
            patch = update_patch(r.existing, r.args, filled.setdefault(r.merge_into, set()))
            if patch is not None:
                out.append((UPDATE, patch))
            for code in r.args.get("barcodes", ()):
                if code not in added:
                    added.add(code)
                    out.append((ADD_BARCODE, {"product_id": str(r.merge_into), "barcode": code}))
        return out


def update_patch(existing: Mapping[str, Any], args: Mapping[str, Any], filled: set[str]) -> dict[str, Any] | None:
    """erp.product.update's arguments filling the existing product's empty fields (a lead time of
    0 counts as empty) from a row's create arguments; `filled` holds what earlier rows filled."""
    patch: dict[str, Any] = {}
    for name, new in args.items():
        base = existing.get(name)
        empty = base in (None, "") or (name == "lead_time_days" and base == 0)
        if name in _NOT_FILLED or name in filled or not empty:
            continue
        patch[name] = {"base": base, "new": new}
        filled.add(name)
    return {"id": str(existing["id"]), **patch} if patch else None


def parse_number(text: str) -> Decimal | None:
    """"1,200", "¥1 200.50", "１２"… as a Decimal; None if it is not a number."""
    cleaned = re.sub(r"[\s,，¥￥]|^(RMB|CNY)|元$", "", text.strip(), flags=re.IGNORECASE)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _choice(text: str, words: Mapping[str, tuple[str, ...]]) -> str:
    low = text.strip().lower()
    for code, names in words.items():
        if low == code or low in names:
            return code
    return text


def plan_products(conn: Connection, sheet: Sheet, mapping: Mapping[int, str | None],
                  make_id: Callable[[], uuid.UUID] = new_id) -> ProductPlan:
    """Every non-blank row checked as erp.product.create's arguments; duplicates of a product in
    the cache or of a row above flagged (and set to "skip")."""
    headers = {name: sheet.headers[i] for i, name in mapping.items() if name}
    lookups = _Lookups(conn)
    seen: dict[str, int] = {}
    rows: list[PlannedProduct] = []
    for offset, cells in enumerate(sheet.rows):
        if not any(c.strip() for c in cells):
            continue
        number = offset + 2
        values = {name: cells[i].strip() for i, name in mapping.items() if name and i < len(cells) and cells[i].strip()}
        planned = PlannedProduct(number, values, None)

        def fail(name: str, reason: str, planned: PlannedProduct = planned) -> None:
            planned.errors.append(RowError(planned.row, headers.get(name, _label(name)), reason))

        raw = _raw_args(values, lookups, fail)
        raw["id"] = make_id()
        try:
            planned.args = ProductCreate.model_validate(raw).model_dump(mode="json", exclude_defaults=True)
            planned.args["id"] = str(raw["id"])
        except ValidationError as exc:
            for error in exc.errors():
                fail(str(error["loc"][0]) if error["loc"] else "", _(_REASONS.get(error["type"], N_("invalid value"))))
        _flag_duplicates(conn, planned, raw.get("barcodes", []), seen)
        rows.append(planned)
    return ProductPlan(rows, lookups.live_barcodes(conn))


def _label(name: str) -> str:
    return _BY_NAME[name].title if name in _BY_NAME else name


class _Lookups:
    """Categories (by code or name) and suppliers (by name) as the cache holds them."""

    def __init__(self, conn: Connection) -> None:
        category, party = metadata.tables["product_category"], metadata.tables["party"]
        self.categories: dict[str, uuid.UUID] = {}
        for row in conn.execute(sa.select(category.c.id, category.c.code, category.c.name)
                                .where(category.c.archived.is_(False))):
            self.categories.setdefault(row.code.casefold(), row.id)
            self.categories.setdefault(row.name.casefold(), row.id)
        self.has_parties = conn.execute(sa.select(sa.func.count()).select_from(party)).scalar_one() > 0
        self.suppliers = {row.name.casefold(): row.id for row in conn.execute(
            sa.select(party.c.id, party.c.name).where(party.c.is_supplier.is_(True), party.c.archived.is_(False)))}

    @staticmethod
    def live_barcodes(conn: Connection) -> frozenset[str]:
        barcode = metadata.tables["product_barcode"]
        return frozenset(conn.execute(sa.select(barcode.c.barcode).where(barcode.c.archived.is_(False))).scalars())


def _raw_args(values: Mapping[str, str], lookups: _Lookups, fail: Callable[[str, str], None]) -> dict[str, Any]:
    """A row's cells as the create's arguments before the model checks them; what only this
    module can check (category, supplier, numbers) adds a row error."""
    raw: dict[str, Any] = {k: values[k] for k in ("sku", "name", "uom", "notes") if k in values}
    for name in _NUMBERS:
        if name in values:
            amount = parse_number(values[name])
            raw[name] = values[name] if amount is None else amount  # the model says why
    if "lead_time_days" in values:
        days = parse_number(values["lead_time_days"])
        if days is None or days != days.to_integral_value():
            fail("lead_time_days", _("not a whole number"))
        else:
            raw["lead_time_days"] = int(days)
    if "kind" in values:
        raw["kind"] = _choice(values["kind"], _KIND_WORDS)
    if "abc_class" in values:
        raw["abc_class"] = values["abc_class"].strip().upper()
    if "barcodes" in values:
        raw["barcodes"] = list(dict.fromkeys(c for c in _SEPARATORS.split(values["barcodes"]) if c))
    if "category" in values:
        raw["category_id"] = lookups.categories.get(values["category"].casefold())
        if raw["category_id"] is None:
            fail("category", _("no such category"))
    if "supplier" in values and lookups.has_parties:  # a cache without parties cannot tell: left out
        raw["default_supplier_id"] = lookups.suppliers.get(values["supplier"].casefold())
        if raw["default_supplier_id"] is None:
            fail("supplier", _("no such supplier"))
    return raw


def _flag_duplicates(conn: Connection, planned: PlannedProduct, barcodes: Sequence[str], seen: dict[str, int]) -> None:
    sku = planned.values.get("sku", "")
    keys = ([f"sku:{sku.casefold()}"] if sku else []) + [f"barcode:{c}" for c in barcodes]
    earlier = next((seen[k] for k in keys if k in seen), None)
    if earlier is not None:
        planned.duplicates.append(_("same as row %(row)s") % {"row": earlier})
    for key in keys:
        seen.setdefault(key, planned.row)
    product, barcode = metadata.tables["product"], metadata.tables["product_barcode"]
    found: list[tuple[str, dict[str, Any]]] = []
    if sku:
        found += [(_("SKU %(code)s") % {"code": row["sku"]}, dict(row)) for row in conn.execute(
            sa.select(product).where(sa.func.lower(product.c.sku) == sku.lower())).mappings()]
    if barcodes:
        query = (sa.select(product, barcode.c.barcode.label("matched"))
                 .join(barcode, barcode.c.product_id == product.c.id)
                 .where(barcode.c.barcode.in_(list(barcodes)), barcode.c.archived.is_(False)))
        for row in conn.execute(query).mappings():
            values = dict(row)
            found.append((_("barcode %(code)s") % {"code": values.pop("matched")}, values))
    for why, existing in found:
        planned.duplicates.append(f"{why}: {existing['name']}")
        if planned.merge_into is None and not existing["archived"]:
            planned.merge_into, planned.merge_name, planned.existing = existing["id"], existing["name"], existing
    if planned.duplicates:
        planned.decision = "skip"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def export_products(conn: Connection) -> tuple[list[str], list[list[Any]]]:
    """The live products as headers (translated labels) and rows, in SKU order; the category by
    its code, the supplier by name, the stock unit's barcodes joined by commas."""
    product, category = metadata.tables["product"], metadata.tables["product_category"]
    party, barcode = metadata.tables["party"], metadata.tables["product_barcode"]
    codes: dict[uuid.UUID, list[str]] = {}
    live = (sa.select(barcode.c.product_id, barcode.c.barcode)
            .where(barcode.c.archived.is_(False), barcode.c.uom.is_(None)))
    for code in conn.execute(live.order_by(barcode.c.barcode)):
        codes.setdefault(code.product_id, []).append(code.barcode)
    query = (sa.select(product, category.c.code.label("category"), party.c.name.label("supplier"))
             .outerjoin(category, category.c.id == product.c.category_id)
             .outerjoin(party, party.c.id == product.c.default_supplier_id)
             .where(product.c.archived.is_(False)).order_by(product.c.sku))
    rows = []
    for row in conn.execute(query).mappings():
        values = {**row, "barcodes": ", ".join(codes.get(row["id"], []))}
        rows.append([_plain(values.get(c.name)) for c in COLUMNS])
    return [c.title for c in COLUMNS], rows
