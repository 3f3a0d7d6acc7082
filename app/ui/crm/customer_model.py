"""The customer list's table model: the id list comes from app.crm.customer_list (filter and sort
in SQL, the same query the saved filters use, its text narrowed by the cache's search index);
rows are fetched as viewed, like every big list."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import QObject, Qt
from sqlalchemy.engine import Engine

from app.core import fmt
from app.core.i18n import N_
from app.core.schema import metadata
from app.crm.customer_list import CustomerFilter, SortKey, customer_query, last_contact_at
from app.crm.customers import STATUSES
from app.sync.list_search import customer_candidates
from app.ui.models import CENTER, Column, IdListTableModel, choice
from app.ui.ops import Ops

party = metadata.tables["party"]
app_user = metadata.tables["app_user"]
#: rows read with the id list: a tall window's first screen, painted at once (app.ui.models)
FIRST_ROWS = 100


def _contact(value: Any) -> str:
    return "" if value is None else fmt.date(value.date() if isinstance(value, dt.datetime) else value)


def _columns(now: dt.datetime) -> list[Column]:
    owner = sa.select(app_user.c.display_name).where(app_user.c.id == party.c.owner_id).scalar_subquery()
    return [
        Column("code", N_("Code"), width=10),
        Column("name", N_("Name"), width=30),
        Column("status", N_("Status"), format=choice(STATUSES), width=9),
        Column("tier", N_("Tier"), align=CENTER, width=5),
        Column("owner", N_("Owner"), expr=owner, width=12),
        Column("city", N_("City"), width=9),
        Column("phone", N_("Phone"), sortable=False, width=15),
        Column("last_contact", N_("Last contact"), format=_contact, expr=last_contact_at(party.c.id, now), width=12),
    ]


class CustomersTableModel(IdListTableModel):
    """Customers matching a CustomerFilter, sorted by the clicked column in SQL."""

    def __init__(self, ops: Ops, db: Engine, user_id: uuid.UUID | None,
                 clock: Callable[[], dt.datetime], parent: QObject | None = None) -> None:
        self.user_id = user_id
        self.clock = clock
        self.filter = CustomerFilter()
        # activities change "last contact"; users change "owner"
        super().__init__(ops, db, party, _columns(clock()), sort=(1, Qt.SortOrder.AscendingOrder),
                         depends_on=("app_user",), first_rows=FIRST_ROWS, parent=parent)

    def set_filter(self, f: CustomerFilter) -> None:
        """Show what `f` lets through (its own sort is replaced by the header's)."""
        self.filter = f
        self.reload(keep_rows=True)

    def current_filter(self) -> CustomerFilter:
        """The filter as shown, with the header's sort."""
        column, order = self.sort_column, self.sort_order
        key: SortKey = self.columns[column].key if self.columns[column].sortable else "name"  # type: ignore[assignment]
        return self.filter.model_copy(update={"sort": key, "descending": order == Qt.SortOrder.DescendingOrder})

    def _ids_query(self) -> sa.Select[Any]:
        query = customer_query(self.current_filter(), self.user_id, self.clock(), text_index=customer_candidates)
        # the ids as the cache stores them (32 hex digits): no UUID object per row of 100k
        return query.with_only_columns(sa.type_coerce(party.c.id, sa.String()))

    def _on_changed(self, changes: Any) -> None:
        if changes.touches("activity", "party_share") and not changes.everything:
            self.reload(keep_rows=False)  # last contact and "mine" depend on other tables
            return
        super()._on_changed(changes)
