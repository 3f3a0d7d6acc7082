"""The pages of the main window: one registry, filtered by role (DESIGN §5). A page appears in
the sidebar only for the roles listed here, and only once it works."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.core.i18n import N_

if TYPE_CHECKING:
    from app.ui.context import AppContext

ALL_ROLES = frozenset({"admin", "manager", "sales_rep", "clerk", "planner"})


@dataclass(frozen=True)
class PageSpec:
    key: str
    #: marked with N_, translated when shown
    title: str
    roles: frozenset[str]
    factory: Callable[[AppContext], QWidget]
    icon: QStyle.StandardPixmap = QStyle.StandardPixmap.SP_FileIcon


def _home(ctx: AppContext) -> QWidget:
    from app.ui.pages.home import HomePage

    return HomePage(ctx)


def _users(ctx: AppContext) -> QWidget:
    from app.ui.pages.users import UsersPage

    return UsersPage(ctx)


def _settings(ctx: AppContext) -> QWidget:
    from app.ui.pages.settings import SettingsPage

    return SettingsPage(ctx)


def _lazy(module: str, cls: str) -> Callable[[AppContext], QWidget]:
    """A factory that imports the page's module only when the page is first shown."""

    def make(ctx: AppContext) -> QWidget:
        import importlib

        page: QWidget = getattr(importlib.import_module(module), cls)(ctx)
        return page

    return make


#: who works with customers, leads and the pipeline
SELLING = frozenset({"admin", "manager", "sales_rep"})
#: who moves stock in the warehouse
STOCK = frozenset({"admin", "manager", "clerk"})
#: who buys
BUYING = frozenset({"admin", "manager", "planner"})


def all_pages() -> list[PageSpec]:
    """Every page in sidebar order (later issues add theirs between Home and Users)."""
    return [
        PageSpec("home", N_("Home"), ALL_ROLES, _home, QStyle.StandardPixmap.SP_DirHomeIcon),
        PageSpec("my_day", N_("My day"), SELLING, _lazy("app.ui.crm.my_day", "MyDayPage"),
                 QStyle.StandardPixmap.SP_FileDialogContentsView),
        PageSpec("customers", N_("Customers"), SELLING, _lazy("app.ui.crm.customers", "CustomersPage"),
                 QStyle.StandardPixmap.SP_DirOpenIcon),
        PageSpec("leads", N_("Leads"), SELLING, _lazy("app.ui.crm.leads", "LeadsPage"),
                 QStyle.StandardPixmap.SP_FileDialogNewFolder),
        PageSpec("pipeline", N_("Pipeline"), SELLING, _lazy("app.ui.crm.pipeline", "PipelinePage"),
                 QStyle.StandardPixmap.SP_ArrowRight),
        PageSpec("cases", N_("Service cases"), SELLING, _lazy("app.ui.crm.cases", "CasesPage"),
                 QStyle.StandardPixmap.SP_MessageBoxWarning),
        PageSpec("orders", N_("Quotes & orders"), SELLING, _lazy("app.ui.erp.orders", "OrdersPage"),
                 QStyle.StandardPixmap.SP_FileDialogListView),
        PageSpec("products", N_("Products"), ALL_ROLES, _lazy("app.ui.erp.products", "ProductsPage"),
                 QStyle.StandardPixmap.SP_DriveHDIcon),
        PageSpec("receive", N_("Receive goods"), STOCK, _lazy("app.ui.erp.receive", "ReceivePage"),
                 QStyle.StandardPixmap.SP_ArrowDown),
        PageSpec("pick_ship", N_("Pick & ship"), STOCK, _lazy("app.ui.erp.pick_ship", "PickShipPage"),
                 QStyle.StandardPixmap.SP_ArrowUp),
        PageSpec("transfer", N_("Transfer stock"), STOCK, _lazy("app.ui.erp.transfer", "TransferPage"),
                 QStyle.StandardPixmap.SP_ArrowForward),
        PageSpec("adjust", N_("Adjust stock"), STOCK, _lazy("app.ui.erp.adjust", "AdjustPage"),
                 QStyle.StandardPixmap.SP_DialogResetButton),
        PageSpec("count", N_("Cycle count"), STOCK, _lazy("app.ui.erp.count", "CycleCountPage"),
                 QStyle.StandardPixmap.SP_DialogApplyButton),
        PageSpec("warehouses", N_("Warehouses"), STOCK | BUYING,
                 _lazy("app.ui.erp.warehouses", "WarehousesPage"), QStyle.StandardPixmap.SP_DirIcon),
        PageSpec("purchasing", N_("Purchasing"), BUYING, _lazy("app.ui.erp.purchasing", "PurchasingPage"),
                 QStyle.StandardPixmap.SP_FileDialogNewFolder),
        PageSpec("users", N_("Users"), frozenset({"admin"}), _users, QStyle.StandardPixmap.SP_FileDialogDetailedView),
        PageSpec("settings", N_("Settings"), ALL_ROLES, _settings, QStyle.StandardPixmap.SP_FileDialogInfoView),
    ]


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in all_pages() if role in p.roles]
