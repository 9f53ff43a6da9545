"""Every table, imported in one place so SQLModel.metadata is complete (Alembic, tests)."""

from models.access import ApiToken
from models.approvals import ApprovalRound, ApprovalRuleVersion, ApprovalSeat, ApprovalStep
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.deals import (
    CustomFieldDef,
    Deal,
    DealChange,
    DealFile,
    DealKind,
    DealNote,
    DealStage,
    Participant,
    SalesChannel,
    SpecLine,
)
from models.documents import (
    AuthorityDocument,
    BankAccount,
    IssuedDocument,
    NumberingCounter,
    NumberingRule,
    Shipment,
    ShipmentLine,
    Signatory,
)
from models.mail import CaughtMail, InboundMail, OutboxMail
from models.notifications import Counter, Notification
from models.org import Absence, BusinessUnit, Department, Employee
from models.parties import Contact, Counterparty, Industry

__all__ = [
    "Absence", "ApiToken", "ApprovalRound", "ApprovalRuleVersion", "ApprovalSeat", "ApprovalStep",
    "CaughtMail", "InboundMail", "OutboxMail", "AuthorityDocument", "BankAccount", "IssuedDocument",
    "NumberingCounter", "NumberingRule", "Shipment", "ShipmentLine", "Signatory", "BusinessUnit",
    "Contact", "Counter", "Counterparty", "CustomFieldDef", "Deal", "DealChange", "DealFile", "DealKind", "DealNote", "DealStage", "Department", "Employee",
    "Industry", "Notification", "Participant", "Product", "ProductCategory", "SalesChannel",
    "SpecLine", "Unit", "Warehouse",
]
