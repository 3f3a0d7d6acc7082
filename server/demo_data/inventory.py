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
#: code, name, kind: three warehouses and the three places stock comes from and goes to
LOCATIONS = (
    ("SH-MAIN", "上海总仓", "internal"),
    ("SZ-DC", "深圳配送中心", "internal"),
    ("BJ-STORE", "北京前置仓", "internal"),
    ("VENDOR", "供应商", "supplier"),
    ("CUSTOMER", "客户", "customer"),
    ("ADJUST", "盘点调整", "adjustment"),
)
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


def _locations(rng: random.Random, since: dt.datetime, by: uuid.UUID | None) -> list[Row]:
    born = since - dt.timedelta(days=90)
    return [{**common(uuid7_at(born, rng), born, born, by), "code": code, "name": name, "kind": kind}
            for code, name, kind in LOCATIONS]


def _moves(spec: InventorySpec, rng: random.Random, products: Sequence[Row], places: dict[str, uuid.UUID],
           now: dt.datetime, since: dt.datetime, clerks: Sequence[uuid.UUID]) -> list[Row]:
    internal = [places[code] for code, _name, kind in LOCATIONS if kind == "internal"]
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


def generate_inventory(spec: InventorySpec, now: dt.datetime, history: dt.timedelta,
                       clerks: Sequence[uuid.UUID] = ()) -> Iterator[tuple[str, Iterator[Row]]]:
    """Locations, products and their stock moves, table by table, dated in `history` before `now`."""
    rng = random.Random(spec.seed * 7919 + 17)
    since = now - history
    by = clerks[0] if clerks else None
    locations = _locations(rng, since, by)
    products = _products(spec, rng, now, since, by)
    places = {row["code"]: row["id"] for row in locations}
    yield "location", iter(locations)
    yield "product", iter(products)
    yield "stock_move", iter(_moves(spec, rng, products, places, now, since, clerks))
