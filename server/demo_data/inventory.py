"""The demo's warehouse: products, locations and two years of stock moves.

On hand is Σ moves (DESIGN §2), so the moves are simulated in time order per product and place:
goods arrive from suppliers, leave for customers, move between warehouses and get corrected by
counts, and nothing ever leaves a place that does not hold it. Every product ends with its own
stock level, most of them positive.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.erp import stock, valuation
from server.demo_data import orders
from server.demo_data.crm import Row, common, moment_between, uuid7_at
from server.demo_data.words import words

#: (SKU prefix, name, unit, list price range in CNY, variants)
CATALOGUE: tuple[tuple[str, str, str, tuple[int, int], tuple[str, ...]], ...] = (
    ("FAS", "不锈钢六角螺栓", "pcs", (1, 6), ("M6×20", "M8×30", "M10×40", "M12×50", "M16×60")),
    ("FAS", "法兰面螺母", "pcs", (1, 3), ("M6", "M8", "M10", "M12")),
    ("BRG", "深沟球轴承", "pcs", (12, 90), ("6204-2RS", "6205-2RS", "6206-ZZ", "6308-2RS")),
    ("PNE", "气动快插接头", "pcs", (4, 18), ("PC6-01", "PC8-02", "PC10-03", "PE12")),
    ("ELE", "LED 面板灯", "pcs", (60, 260), ("300×300", "600×600", "300×1200")),
    ("ELE", "护套电缆 RVV", "m", (3, 15), ("2×1.0", "3×1.5", "3×2.5", "5×4")),
    ("ELE", "Siemens PLC S7-1200", "pcs", (1800, 4200), ("CPU 1212C", "CPU 1214C", "CPU 1215C")),
    ("ELE", "交流接触器", "pcs", (90, 480), ("9A", "18A", "32A", "65A")),
    ("TOL", "Bosch 充电式电钻", "pcs", (420, 1300), ("GSR 120-LI", "GSB 18V-50", "GDX 180-LI")),
    ("TOL", "数显游标卡尺", "pcs", (120, 380), ("0-150mm", "0-200mm", "0-300mm")),
    ("SAF", "丁腈涂层劳保手套", "pair", (3, 9), ("M", "L", "XL")),
    ("SAF", "3M 防护口罩 KN95", "box", (45, 120), ("9501+", "9502+", "8210")),
    ("SAF", "安全帽 ABS", "pcs", (25, 70), ("白色", "黄色", "红色", "蓝色")),
    ("PKG", "五层瓦楞纸箱", "pcs", (2, 9), ("400×300×300", "500×400×400", "600×400×400")),
    ("PKG", "封箱胶带", "roll", (3, 8), ("48mm×100m", "60mm×100m")),
    ("PKG", "塑料托盘", "pcs", (90, 260), ("1200×1000", "1200×800")),
    ("PKG", "缠绕膜", "roll", (28, 60), ("50cm", "10cm")),
    ("CHM", "液压油", "L", (12, 30), ("L-HM32", "L-HM46", "L-HM68")),
    ("CHM", "锂基润滑脂", "kg", (18, 45), ("0#", "2#", "3#")),
    ("CHM", "工业酒精 95%", "L", (9, 20), ("5L 装", "25L 装")),
    ("OFF", "A4 复印纸", "box", (95, 160), ("70g", "80g")),
    ("OFF", "热敏标签纸", "roll", (6, 22), ("60×40", "100×100", "40×30")),
    ("OFF", "Honeywell 扫码枪", "pcs", (380, 1200), ("1470g", "1472g", "1900GHD")),
    ("RAW", "304 不锈钢板", "kg", (16, 28), ("1.0mm", "2.0mm", "3.0mm")),
    ("RAW", "6061 铝棒", "kg", (22, 38), ("Φ20", "Φ30", "Φ50")),
    ("RAW", "ABS 塑料粒子", "kg", (10, 19), ("通用级", "阻燃级")),
)
#: code, name, kind: three warehouses (a distribution centre, a regional one, a shop)
WAREHOUSES = (("SH", "上海总仓", "distribution"), ("SZ", "深圳配送中心", "distribution"),
              ("BJ", "北京门店", "shop"))
#: code, name, kind, warehouse: each warehouse's bins, and the places stock comes from and goes to
LOCATIONS = (
    ("SH-MAIN", "上海总仓 A 区", "internal", "SH"),
    ("SH-B01", "上海总仓 B 区 01", "internal", "SH"),
    ("SZ-DC", "深圳配送中心", "internal", "SZ"),
    ("BJ-STORE", "北京门店仓", "internal", "BJ"),
    ("VENDOR", "供应商", "supplier", None),
    ("CUSTOMER", "客户", "customer", None),
    ("ADJUST", "盘点调整", "adjustment", None),
)
#: category by SKU prefix
CATEGORIES = {"FAS": "紧固件", "BRG": "轴承", "PNE": "气动元件", "ELE": "电气", "TOL": "工具", "SAF": "劳保用品",
              "PKG": "包装材料", "CHM": "油品化学品", "OFF": "办公用品", "RAW": "原材料"}
_DECIMAL_UNITS = {"kg", "L", "m"}
#: the document a move belongs to, by kind: purchase order, sales order, transfer, stock count
PREFIXES = {"receipt": "PO", "delivery": "SO", "transfer": "TR", "adjustment": "CNT"}


@dataclass(frozen=True)
class InventorySpec:
    products: int
    #: about how many moves each product has over the history
    moves_per_product: int = 30
    seed: int = 1


def _qty(rng: random.Random, uom: str, low: int, high: int) -> Decimal:
    if uom in _DECIMAL_UNITS:
        return Decimal(rng.randint(low * 2, high * 2)) / 2  # halves: 12.5 kg, 3.5 m
    return Decimal(rng.randint(low, high))


def _products(spec: InventorySpec, rng: random.Random, now: dt.datetime, since: dt.datetime,
              by: uuid.UUID | None) -> list[Row]:
    # the bigger variants of an item cost more: its price range is spread over them in order
    variants = [(prefix, f"{name} {variant}", uom, (low + (high - low) * i // len(kinds),
                                                    low + (high - low) * (i + 1) // len(kinds)))
                for prefix, name, uom, (low, high), kinds in CATALOGUE for i, variant in enumerate(kinds)]
    rows: list[Row] = []
    for n in range(spec.products):
        prefix, name, uom, (low, high) = variants[n % len(variants)]
        if n >= len(variants):  # a bigger catalogue: the same goods from other makers
            name = f"{name}（{rng.choice(words(spec.seed).zh_prefixes)}）"
        born = moment_between(rng, since - dt.timedelta(days=60), since)
        price = Decimal(rng.randint(max(low, 1) * 100, max(high, low + 1) * 100)) / 100
        rows.append({**common(uuid7_at(born, rng), born, moment_between(rng, born, now), by),
                     "sku": f"{prefix}-{n + 1:05d}", "name": name, "name_pinyin": words(spec.seed).pinyin(name)[0],
                     "uom": uom, "list_price": price})
    return rows


def _places(rng: random.Random, since: dt.datetime, by: uuid.UUID | None) -> tuple[list[Row], list[Row]]:
    born = since - dt.timedelta(days=90)
    houses = [{**common(uuid7_at(born, rng), born, born, by), "code": code, "name": name, "kind": kind}
              for code, name, kind in WAREHOUSES]
    house_ids = {row["code"]: row["id"] for row in houses}
    bins = [{**common(uuid7_at(born, rng), born, born, by), "code": code, "name": name, "kind": kind,
             "warehouse_id": house_ids.get(house) if house else None} for code, name, kind, house in LOCATIONS]
    return houses, bins


def _categories(rng: random.Random, since: dt.datetime, by: uuid.UUID | None) -> list[Row]:
    born = since - dt.timedelta(days=90)
    return [{**common(uuid7_at(born, rng), born, born, by), "code": code, "name": name}
            for code, name in CATEGORIES.items()]


def ean13(body: str) -> str:
    """A 12-digit body with its EAN-13 check digit."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _moves(spec: InventorySpec, rng: random.Random, products: Sequence[Row], places: dict[str, uuid.UUID],
           now: dt.datetime, since: dt.datetime, clerks: Sequence[uuid.UUID]) -> list[Row]:
    internal = [places[code] for code, _name, kind, _house in LOCATIONS if kind == "internal"]
    vendor, customer, adjust = places["VENDOR"], places["CUSTOMER"], places["ADJUST"]
    moves: list[Row] = []
    for product in products:
        uom = product["uom"]
        stocked = rng.sample(internal, rng.randint(1, len(internal)))
        on_hand = dict.fromkeys(stocked, Decimal(0))
        batch = rng.randint(20, 200)
        count = max(3, int(rng.gauss(spec.moves_per_product, spec.moves_per_product / 3)))
        moments = sorted(moment_between(rng, max(since, product["created_at"]), now) for _ in range(count))
        for i, moved in enumerate(moments):
            here = rng.choice(stocked)
            roll = rng.random()
            if i == 0 or on_hand[here] <= 0 or roll < 0.3:
                kind, source, target, qty = "receipt", vendor, here, _qty(rng, uom, batch // 2, batch * 2)
            elif roll < 0.85:
                kind, source, target = "delivery", here, customer
                qty = min(on_hand[here], _qty(rng, uom, 1, max(batch // 3, 1)))
            elif roll < 0.95 and len(stocked) > 1:
                kind, source = "transfer", here
                target = rng.choice([loc for loc in stocked if loc != here])
                qty = min(on_hand[here], _qty(rng, uom, 1, batch))
            elif rng.random() < 0.5:  # a count found a few more
                kind, source, target, qty = "adjustment", adjust, here, _qty(rng, uom, 1, 3)
            else:  # a count found a few fewer (or damaged goods)
                kind, source, target = "adjustment", here, adjust
                qty = min(on_hand[here], _qty(rng, uom, 1, 3))
            if source in on_hand:
                on_hand[source] -= qty
            if target in on_hand:
                on_hand[target] += qty
            clerk = rng.choice(clerks) if clerks else None
            moves.append({**common(uuid7_at(moved, rng), moved, moved, clerk), "product_id": product["id"],
                          "qty": qty, "from_location_id": source, "to_location_id": target, "kind": kind,
                          "reference": None, "moved_at": moved, "user_id": clerk})
    moves.sort(key=lambda move: move["moved_at"])
    numbers: dict[tuple[str, int], int] = {}
    for move in moves:  # document numbers count up through each year, as the server's do
        key = (move["kind"], move["moved_at"].year)
        numbers[key] = numbers.get(key, 0) + 1
        move["reference"] = f"{PREFIXES[key[0]]}-{key[1]}-{numbers[key]:06d}"
    return moves


def _catalogue_fields(rng: random.Random, products: list[Row], categories: list[Row], seed: int) -> list[Row]:
    """What a buyer and a planner set on each product: category, cost, reorder rules, a barcode."""
    by_code = {row["code"]: row["id"] for row in categories}
    barcodes: list[Row] = []
    for n, product in enumerate(products):
        price = product["list_price"]
        cost = (price * Decimal(rng.randint(50, 75)) / 100).quantize(Decimal("0.0001"))
        decimal_unit = product["uom"] in _DECIMAL_UNITS
        min_qty = Decimal(rng.choice((1, 5, 10) if price > 100 else (10, 50, 100)))
        product.update({
            "category_id": by_code[product["sku"].split("-")[0]], "kind": "stocked", "standard_cost": cost,
            "name_initials": words(seed).pinyin(product["name"])[1], "lead_time_days": rng.choice((3, 5, 7, 14, 21)),
            "min_order_qty": min_qty, "order_multiple": Decimal(1) if decimal_unit else min_qty,
            "reorder_point": Decimal(rng.randint(2, 8) * 10), "safety_stock": Decimal(rng.randint(1, 4) * 5),
            "abc_class": "A" if price > 300 else ("B" if price > 30 else "C")})
        barcodes.append({**common(uuid7_at(product["created_at"], rng), product["created_at"], product["created_at"],
                                  product["updated_by"]),
                         "product_id": product["id"], "barcode": ean13(f"69{seed % 10}{n + 1:09d}"), "uom": None})
    return barcodes


def _cost_moves(rng: random.Random, moves: list[Row], products: list[Row], internal: set[uuid.UUID],
                by: uuid.UUID | None, now: dt.datetime) -> tuple[list[Row], list[Row]]:
    """Unit costs on the moves (receipts near the standard cost, the rest at the moving average, as
    the server would have applied them in time order) and the level and valuation projections."""
    cost_of = {p["id"]: p["standard_cost"] for p in products}
    value: dict[uuid.UUID, tuple[Decimal, Decimal]] = {p["id"]: (Decimal(0), p["standard_cost"]) for p in products}
    level: dict[tuple[uuid.UUID, uuid.UUID], Decimal] = {}
    for move in moves:  # already in time order
        pid, qty = move["product_id"], move["qty"]
        on_hand, avg = value[pid]
        coming, going = move["to_location_id"] in internal, move["from_location_id"] in internal
        if coming and not going:
            cost = (cost_of[pid] * Decimal(rng.randint(90, 110)) / 100).quantize(Decimal("0.0001"))
            value[pid] = valuation.receive(on_hand, avg, qty, cost)
        else:
            cost = avg
            if going and not coming:
                value[pid] = valuation.issue(on_hand, avg, qty)
        move["unit_cost"] = cost
        move["reason"] = "盘点差异" if move["kind"] == "adjustment" else None
        for place, sign in ((move["from_location_id"], -1), (move["to_location_id"], 1)):
            if place in internal:
                level[(pid, place)] = level.get((pid, place), Decimal(0)) + sign * qty
    levels = [{**common(stock.level_id(pid, place), now, now, by), "product_id": pid, "location_id": place, "qty": qty}
              for (pid, place), qty in level.items()]
    valued = [{**common(pid, now, now, by), "qty": qty, "avg_cost": avg} for pid, (qty, avg) in value.items()]
    return levels, valued


def generate_inventory(spec: InventorySpec, now: dt.datetime, history: dt.timedelta,
                       clerks: Sequence[uuid.UUID] = (), customers: Sequence[orders.Party] = (),
                       suppliers: Sequence[orders.Party] = ()) -> Iterator[tuple[str, Iterator[Row]]]:
    """Warehouses, locations, the catalogue and its stock moves with the level and valuation
    projections the server keeps, and the sales and purchase orders behind them (see
    server.demo_data.orders), table by table, dated in `history` before `now`."""
    rng = random.Random(spec.seed * 7919 + 17)
    costs = random.Random(spec.seed * 104729 + 3)
    since = now - history
    by = clerks[0] if clerks else None
    houses, locations = _places(rng, since, by)
    products = _products(spec, rng, now, since, by)
    categories = _categories(costs, since, by)
    barcodes = _catalogue_fields(costs, products, categories, spec.seed)
    places = {row["code"]: row["id"] for row in locations}
    moves = _moves(spec, rng, products, places, now, since, clerks)
    internal = {row["id"] for row in locations if row["kind"] == "internal"}
    levels, valued = _cost_moves(costs, moves, products, internal, by, now)
    warehouse_of = {row["id"]: row["warehouse_id"] for row in locations if row["warehouse_id"] is not None}
    counters: dict[tuple[str, int], int] = {}
    docs = orders.history_documents(costs, moves, products, customers, suppliers, warehouse_of, counters)
    main = places["SH-MAIN"]
    by_id = {p["id"]: p for p in products}
    in_stock = [(by_id[row["product_id"]], main, row["qty"]) for row in levels
                if row["location_id"] == main and row["qty"] >= 8]
    orders.open_documents(costs, docs, in_stock, customers, suppliers, warehouse_of[main], now, counters)
    yield "warehouse", iter(houses)
    yield "location", iter(locations)
    yield "product_category", iter(categories)
    yield "product", iter(products)
    yield "product_barcode", iter(barcodes)
    yield "stock_move", iter(moves)
    yield "stock_level", iter(levels)
    yield "stock_valuation", iter(valued)
    for table, rows in (("sales_order", docs.orders), ("sales_order_line", docs.order_lines),
                        ("delivery", docs.deliveries), ("delivery_line", docs.delivery_lines),
                        ("purchase_order", docs.purchases), ("purchase_order_line", docs.purchase_lines),
                        ("receipt", docs.receipts), ("receipt_line", docs.receipt_lines)):
        yield table, iter(orders.same_columns(rows))
